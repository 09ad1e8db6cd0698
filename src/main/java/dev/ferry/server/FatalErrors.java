package dev.ferry.server;

import io.quarkus.runtime.LaunchMode;
import org.jboss.logging.Logger;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

/**
 * An OutOfMemoryError (or any VirtualMachineError) that escapes outside a command ends the process at once
 * with exit code 3, as Redis aborts when an allocation fails (ARCHITECTURE.md rule 8): a JVM that lost a
 * thread or a buffer half-way is a zombie that answers nothing, and only a restart by the orchestrator
 * helps. Inside a command the Executor catches the error and answers Redis's OOM words instead: that
 * command's garbage goes and the heap is fine again. That is why Ferry does not run with
 * -XX:+ExitOnOutOfMemoryError, which would also end the process for the one command that asked for too
 * much memory.
 *
 * <p>Escapes are caught where they surface: the default uncaught-exception handler (a thread about to
 * die), the RESP Vert.x instance's exception handler (a handler or timer that threw), the socket and
 * server exception handlers (Netty reports a failed read there), and, for what a library catches and only
 * logs (Netty's selector loop and acceptor), any log record that carries an OutOfMemoryError.
 *
 * <p>Only the packaged application exits; in tests and dev mode the error is logged as fatal and the JVM,
 * which belongs to the test runner, is left alone.
 */
final class FatalErrors {
    private static final Logger LOG = Logger.getLogger(FatalErrors.class);
    /** The JVM's own exit code for -XX:+ExitOnOutOfMemoryError. */
    static final int EXIT_CODE = 3;
    // allocated up front: when the heap is exhausted, writing these bytes must not need any more of it
    private static final byte[] LINE = ("FATAL Ferry: a VirtualMachineError (OutOfMemoryError) escaped outside a command; "
        + "exiting with code " + EXIT_CODE + " so that the process is restarted\n").getBytes(StandardCharsets.US_ASCII);
    private static final FileOutputStream STDERR = new FileOutputStream(FileDescriptor.err);
    private static volatile boolean installed;

    private FatalErrors() {}

    /** Installs the uncaught-exception handler and the log watch (once per JVM). */
    static synchronized void install() {
        if (installed) return;
        installed = true;
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            check(e, thread.getName());
            if (previous != null) previous.uncaughtException(thread, e);
            else LOG.errorf(e, "Uncaught exception in thread %s", thread.getName());
        });
        java.util.logging.Logger.getLogger("").addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {
                // only OutOfMemoryError here: the Executor logs a StackOverflowError it caught inside a command
                Throwable t = r.getThrown();
                for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
                    if (t instanceof OutOfMemoryError) die(t, "a library that logged it (" + r.getLoggerName() + ")");
                }
            }

            @Override
            public void flush() { }

            @Override
            public void close() { }
        });
    }

    /** Ends the process when t is (or was caused by) a VirtualMachineError; otherwise returns. */
    static void check(Throwable t, String where) {
        if (isFatal(t)) die(t, where);
    }

    static boolean isFatal(Throwable t) {
        for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
            if (t instanceof VirtualMachineError) return true;
        }
        return false;
    }

    private static void die(Throwable t, String where) {
        boolean exit = LaunchMode.current() == LaunchMode.NORMAL;
        try {
            if (exit) STDERR.write(LINE);
        } catch (Throwable ignored) {
            // nothing left to report with
        }
        try {
            LOG.fatalf("%s escaped outside a command in %s%s", t, where, exit ? "" : " (not exiting: " + LaunchMode.current() + " mode)");
        } catch (Throwable ignored) {
            // logging may itself need memory that is not there
        }
        if (exit) Runtime.getRuntime().halt(EXIT_CODE);
    }
}
