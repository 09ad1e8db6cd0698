package dev.ferry.snapshot;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The writer's priority: the calling thread's own nice value changes, and no other thread's. */
class ThreadNiceTest {
    @Test
    void lowersTheCallingThreadOnly() throws Exception {
        assertTrue(Files.exists(Path.of("/proc/thread-self")), "Linux's /proc is needed (CI runs on Linux)");
        int before = ThreadNice.currentNice();
        AtomicReference<Object> inside = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                boolean set = ThreadNice.lowerCurrentThread(before + 7);
                inside.set(set ? ThreadNice.currentNice() : "not set");
            } catch (Exception e) {
                inside.set(e);
            }
        });
        t.start();
        t.join();
        assertEquals(before + 7, inside.get());
        assertEquals(before, ThreadNice.currentNice(), "the caller's thread is not the one lowered");
    }

    @Test
    void schedIdleIsTheCallingThreadsOnly() throws Exception {
        assertEquals(0, ThreadNice.currentPolicy(), "the test runs under SCHED_OTHER");
        AtomicReference<Object> inside = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                boolean set = ThreadNice.idleCurrentThread();
                inside.set(set ? ThreadNice.currentPolicy() : "not set");
            } catch (Exception e) {
                inside.set(e);
            }
        });
        t.start();
        t.join();
        assertEquals(5, inside.get(), "SCHED_IDLE is policy 5");
        assertEquals(0, ThreadNice.currentPolicy(), "the caller's thread is not the one changed");
    }

    @Test
    void zeroLeavesThePriorityAlone() throws Exception {
        int before = ThreadNice.currentNice();
        assertFalse(ThreadNice.lowerCurrentThread(0));
        assertEquals(before, ThreadNice.currentNice());
    }
}
