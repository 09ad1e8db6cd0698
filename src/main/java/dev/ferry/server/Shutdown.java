package dev.ferry.server;

import io.quarkus.runtime.LaunchMode;
import org.jboss.logging.Logger;
import sun.misc.Signal;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Stopping within a bound, whatever the executing loop is doing (Kubernetes sends SIGTERM, then SIGKILL
 * after its grace period; Redis exits 0 on SIGTERM).
 *
 * <p>SIGTERM and SIGINT first take the final snapshot when save points are set (Redis's prepareForShutdown; if
 * it fails the server logs it and goes on, as Redis does), then exit with code 0 as in Redis (the JVM's own handler would exit with 143): the
 * handler logs Redis's line and calls System.exit(0), which runs Quarkus's shutdown and with it
 * RespServer's, which gives the executing loop until {@link #loopDeadlineNanos()} to finish its command and
 * close the clients, and otherwise leaves it: the process ends around it, which aborts the command.
 *
 * <p>A watchdog thread, started with the server so that it exists even when memory is short, guards the
 * whole stop: if the process still lives a grace period (ferry.shutdown-grace, 3 s) after the request, it
 * logs what the stop was waiting for and where the executing loop is, and halts with the requested exit
 * code. It does not reuse the name of Redis's shutdown-timeout, which is how long Redis waits for lagging
 * replicas. In tests and dev mode the watchdog only logs: that JVM is not Ferry's to end.
 */
final class Shutdown {
    private static final Logger LOG = Logger.getLogger(Shutdown.class);
    /** What the loop leaves for the rest of the stop (closing HTTP, Quarkus's own steps) inside the grace. */
    private static final long REST_OF_STOP_NANOS = 500_000_000L;

    private final long graceNanos;
    private final Supplier<String> loopState;
    private final CountDownLatch requested = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile long requestedAt;
    private volatile int exitCode;
    private volatile String phase = "the stop to begin";

    Shutdown(long graceMillis, Supplier<String> loopState) {
        this.graceNanos = TimeUnit.MILLISECONDS.toNanos(graceMillis);
        this.loopState = loopState;
        Thread watchdog = new Thread(this::watch, "ferry-shutdown-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /** SIGTERM and SIGINT: exit 0 after a graceful stop (packaged application only). */
    /** finalSave: true when saved, false when the save failed (no exit), null when no save ran. */
    void handleSignals(Supplier<Boolean> finalSave) {
        if (LaunchMode.current() != LaunchMode.NORMAL) return;
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), sig -> {
                LOG.warnf("Received SIG%s scheduling shutdown...", name);
                // the final save comes before the stop's clock starts: it takes as long as the dataset needs,
                // and a failed one keeps the server running, as in Redis
                long signalled = System.nanoTime();
                if (requested.getCount() == 0) {
                    request(0);
                } else {
                    Boolean saved = finalSave.get();
                    if (saved != null && !saved) return;
                    // the stop's clock runs from the signal, or from the end of the save when one ran
                    request(0, saved == null ? signalled : System.nanoTime());
                }
                System.exit(0);
            });
        }
    }

    /** Starts the clock of the stop (the first request counts) with the exit code the watchdog would use. */
    void request(int code) {
        request(code, System.nanoTime());
    }

    private void request(int code, long startNanos) {
        if (requested.getCount() == 0) return;
        exitCode = code;
        requestedAt = startNanos;
        requested.countDown();
    }

    /** How long a signal's final save may wait for a busy executing loop to take it. */
    long saveClaimMillis() {
        return TimeUnit.NANOSECONDS.toMillis(graceNanos) / 2;
    }

    /** Until when the stop waits for the executing loop before going on without it. */
    long loopDeadlineNanos() {
        return requestedAt + graceNanos - REST_OF_STOP_NANOS;
    }

    /** What the stop is waiting for now, for the watchdog's report. */
    void phase(String waitingFor) {
        phase = waitingFor;
    }

    /** The RESP side has stopped; in tests (the application stops, the JVM stays) the watchdog stands down. */
    void finished() {
        phase = "Quarkus's own shutdown (HTTP, extensions)";
        if (LaunchMode.current() != LaunchMode.NORMAL) finished.countDown();
    }

    private void watch() {
        try {
            requested.await();
            long left = requestedAt + graceNanos - System.nanoTime();
            if (finished.await(Math.max(0, left), TimeUnit.NANOSECONDS)) return;
        } catch (InterruptedException e) {
            return;
        }
        boolean halt = LaunchMode.current() == LaunchMode.NORMAL;
        LOG.errorf("Shutdown overran %d ms waiting for %s; %s. %s", TimeUnit.NANOSECONDS.toMillis(graceNanos), phase,
            loopState.get(), halt ? "Halting with exit code " + exitCode : "Not halting (" + LaunchMode.current() + " mode)");
        if (halt) Runtime.getRuntime().halt(exitCode);
    }
}
