package dev.ferry.snapshot;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Lowers the calling thread's scheduling priority (its Linux nice value), so that a background snapshot's writer
 * gets the CPU only when the executing loop does not want it. On 2 cores shared with redis-benchmark, short probes
 * of SET p99 during back-to-back BGSAVEs gave about 2-3x idle with the paced writer at the loop's priority and
 * 1.3-1.7x at nice 10; BGSAVE takes longer only while the CPU is contended (bench/snapshot.sh for the medians).
 *
 * <p>Java has no call for this before its foreign-function API, and on Linux a thread is a task with its own nice
 * value: the thread finds its task id through /proc/thread-self and runs {@code renice} on it (raising a nice value
 * needs no privilege). Where that is not possible the writer runs at normal priority, which the log says once.
 */
final class ThreadNice {
    private static final Logger LOG = Logger.getLogger(ThreadNice.class);
    private static volatile boolean warned;

    private ThreadNice() {
    }

    /** Sets the calling thread's nice value (1..19; 0 leaves it alone); true when it was set. */
    static boolean lowerCurrentThread(int nice) {
        if (nice <= 0) return false;
        try {
            String tid = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
            Process p = new ProcessBuilder("renice", "-n", Integer.toString(nice), "-p", tid)
                .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            int code = p.waitFor();
            if (code == 0) return true;
            warnOnce("renice exited with " + code + ": " + out);
        } catch (IOException | UnsupportedOperationException e) {
            warnOnce(e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /** The calling thread's nice value as the kernel reports it. */
    static int currentNice() throws IOException {
        return niceOf(Path.of("/proc/thread-self"));
    }

    /** The nice value of the task whose /proc directory this is (field 19 of its stat file). */
    static int niceOf(Path task) throws IOException {
        String stat = Files.readString(task.resolve("stat"));
        // the command name, in parentheses, may hold spaces: count fields after its closing one
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(f[16]);
    }

    private static void warnOnce(String why) {
        if (warned) return;
        warned = true;
        LOG.warnf("Cannot lower the snapshot writer's priority (ferry.bgsave-nice), it runs at normal priority: %s",
            why);
    }
}
