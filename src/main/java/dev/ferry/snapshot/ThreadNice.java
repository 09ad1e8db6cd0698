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
 * <p>A nice value is not enough on its own: each time the paced writer wakes it may preempt the loop (a sleeper's
 * credit), and clients wait for that turn. Under SCHED_IDLE ({@link #idleCurrentThread}) a thread runs only on CPU
 * time no other thread wants: in probes of SET p99 during back-to-back BGSAVEs on 2 cores shared with
 * redis-benchmark, nice 10 gave 2.2-2.6x idle, SCHED_BATCH at nice 10 1.6-2.2x, SCHED_IDLE 1.0-1.6x.
 *
 * <p>Java has no call for this before its foreign-function API, and on Linux a thread is a task with its own nice
 * value and policy: the thread finds its task id through /proc/thread-self and runs {@code renice} or {@code chrt}
 * (util-linux) on it (lowering a priority needs no privilege; raising it back does, so a thread never leaves
 * SCHED_IDLE). Where that is not possible the writer runs at normal priority, which the log says once.
 */
final class ThreadNice {
    private static final Logger LOG = Logger.getLogger(ThreadNice.class);
    private static volatile boolean warned;

    private ThreadNice() {
    }

    /** Sets the calling thread's nice value (1..19; 0 leaves it alone); true when it was set. */
    static boolean lowerCurrentThread(int nice) {
        if (nice <= 0) return false;
        return run("renice", "-n", Integer.toString(nice), "-p", taskId());
    }

    /** The calling thread's task id, or null where /proc/thread-self cannot say. */
    private static String taskId() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
        } catch (IOException | UnsupportedOperationException e) {
            warnOnce(e.toString());
            return null;
        }
    }

    /** Runs a util-linux command on the calling thread's task (the last argument); true when it exited with 0. */
    private static boolean run(String... command) {
        if (command[command.length - 1] == null) return false;
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            int code = p.waitFor();
            if (code == 0) return true;
            warnOnce(command[0] + " exited with " + code + ": " + out);
        } catch (IOException e) {
            warnOnce(e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /**
     * Puts the calling thread under SCHED_IDLE, for good; true when it was set. Threads it starts inherit the policy
     * (reset-on-fork resets only real-time ones), so a thread meant to run normally must be started by another.
     */
    static boolean idleCurrentThread() {
        return run("chrt", "--idle", "-p", "0", taskId());
    }

    /** The calling thread's scheduling policy as the kernel reports it (0 normal, 3 batch, 5 idle). */
    static int currentPolicy() throws IOException {
        return statField(Path.of("/proc/thread-self"), 38);
    }

    /** The calling thread's nice value as the kernel reports it. */
    static int currentNice() throws IOException {
        return niceOf(Path.of("/proc/thread-self"));
    }

    /** The nice value of the task whose /proc directory this is (field 19 of its stat file). */
    static int niceOf(Path task) throws IOException {
        return statField(task, 16);
    }

    /** The policy of the task whose /proc directory this is (field 41 of its stat file). */
    static int policyOf(Path task) throws IOException {
        return statField(task, 38);
    }

    /** A numeric field of a task's stat file, counted from the one after the command name (field 3 is 0). */
    private static int statField(Path task, int index) throws IOException {
        String stat = Files.readString(task.resolve("stat"));
        // the command name, in parentheses, may hold spaces: count fields after its closing one
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(f[index]);
    }

    private static void warnOnce(String why) {
        if (warned) return;
        warned = true;
        LOG.warnf("Cannot lower the snapshot writer's priority (ferry.bgsave-nice, ferry.bgsave-idle-limit), it may "
            + "run at normal priority: %s", why);
    }
}
