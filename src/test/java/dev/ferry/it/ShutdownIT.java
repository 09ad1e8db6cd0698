package dev.ferry.it;

import dev.ferry.support.RawClient;
import dev.ferry.support.RedisServer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM (Kubernetes' stop) ends the packaged Ferry with exit code 0 within 5 seconds in every state
 * (finding 8): idle, with the executing loop busy in long commands, after an OutOfMemoryError inside a
 * command; and an OutOfMemoryError outside a command ends it at once with a non-zero code (finding 3).
 */
class ShutdownIT {
    static final long BOUND_MS = 5000;
    static final int KEYS = 1_500_000;

    @Test
    void idle() throws Exception {
        int port = RedisServer.freePort();
        try (FerryProcess ferry = FerryProcess.start("-Dferry.port=" + port)) {
            ferry.awaitPort(port);
            try (RawClient c = new RawClient(port)) {
                assertEquals("+PONG\r\n", c.call("PING"));
            }
            long ms = terminate(ferry);
            assertTrue(ferry.log().contains("Received SIGTERM scheduling shutdown..."), ferry.log());
            assertTrue(ferry.log().contains("Ferry is now ready to exit, bye bye..."), ferry.log());
            System.out.println("ShutdownIT idle: exit 0 after " + ms + " ms");
        }
    }

    /**
     * The README's run command: bin/ferry execs the JVM (so SIGTERM reaches Ferry, not a shell that would
     * leave it running) and names the Java and flags it chose.
     */
    @Test
    void idleStartedByTheLauncher() throws Exception {
        int port = RedisServer.freePort();
        try (FerryProcess ferry = FerryProcess.launch("-Dferry.port=" + port)) {
            ferry.awaitPort(port);
            try (RawClient c = new RawClient(port)) {
                assertEquals("+PONG\r\n", c.call("PING"));
            }
            assertTrue(ferry.log().matches("(?s).*ferry: java \\d+ at \\S+ with -Xms256m -Xmx256m -XX:\\+Use\\w+GC.*"), ferry.log());
            long ms = terminate(ferry);
            assertTrue(ferry.log().contains("Ferry is now ready to exit, bye bye..."), ferry.log());
            System.out.println("ShutdownIT launcher: exit 0 after " + ms + " ms");
        }
    }

    /** Several clients each run a KEYS over a large keyspace: the stop waits for the loop, or leaves it behind. */
    @Test
    void loopBusyWithSeveralClientsCommands() throws Exception {
        busy("several clients", 3, 1);
    }

    /** One client's pipeline of KEYS runs in one turn of the loop, for longer than the shutdown grace. */
    @Test
    void loopBusyWithOnePipelineLongerThanTheGrace() throws Exception {
        busy("one pipeline", 1, 6);
    }

    private void busy(String what, int clients, int commandsEach) throws Exception {
        int port = RedisServer.freePort();
        // no save points: this is about the bound of a stop, not about the final save (SaveOnStopIT)
        try (FerryProcess ferry = FerryProcess.start("-Dferry.port=" + port, "-Dferry.save=\"\"")) {
            ferry.awaitPort(port);
            populate(port);
            List<Socket> busy = new ArrayList<>();
            byte[] keys = RawClient.encode("KEYS".getBytes(), "*".getBytes());
            for (int i = 0; i < clients; i++) {
                Socket s = new Socket("127.0.0.1", port);
                OutputStream out = s.getOutputStream();
                for (int j = 0; j < commandsEach; j++) out.write(keys);
                out.flush();
                busy.add(s);
            }
            Thread.sleep(300);
            // the premise: the executing loop is busy, a PING waits
            try (Socket ping = new Socket("127.0.0.1", port)) {
                ping.setSoTimeout(200);
                ping.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThrowsTimeout(ping);
            }
            long ms = terminate(ferry);
            System.out.println("ShutdownIT busy (" + what + "): exit 0 after " + ms + " ms");
            for (Socket s : busy) s.close();
        }
    }

    @Test
    void afterAnOutOfMemoryErrorInACommand() throws Exception {
        int port = RedisServer.freePort();
        try (FerryProcess ferry = FerryProcess.start("-Xmx128m", "-Dferry.port=" + port)) {
            ferry.awaitPort(port);
            try (RawClient c = new RawClient(port)) {
                // a 500 MB string does not fit a 128 MB heap: the command gets Redis's OOM words, the server lives
                assertEquals("-OOM command not allowed when used memory > 'maxmemory'.\r\n",
                    c.call("SETRANGE", "it:big", "500000000", "x"));
                assertEquals("+PONG\r\n", c.call("PING"));
            }
            long ms = terminate(ferry);
            System.out.println("ShutdownIT after an in-command OutOfMemoryError: exit 0 after " + ms + " ms");
        }
    }

    /**
     * A 200 MB argument does not fit a 64 MB heap, and it is read before any command runs: the error
     * escapes outside a command and the process exits with 3 at once instead of living on as a zombie.
     */
    @Test
    void anOutOfMemoryErrorOutsideACommandEndsTheProcess() throws Exception {
        int port = RedisServer.freePort();
        try (FerryProcess ferry = FerryProcess.start("-Xmx64m", "-Dferry.port=" + port)) {
            ferry.awaitPort(port);
            long start = System.nanoTime();
            try (Socket s = new Socket("127.0.0.1", port)) {
                OutputStream out = s.getOutputStream();
                int size = 200 * 1024 * 1024;
                out.write(("*3\r\n$3\r\nSET\r\n$6\r\nit:big\r\n$" + size + "\r\n").getBytes(StandardCharsets.US_ASCII));
                byte[] chunk = new byte[1 << 20];
                for (int sent = 0; sent < size && ferry.process.isAlive(); sent += chunk.length) out.write(chunk);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                // the process died while we were sending: expected
            }
            assertTrue(ferry.process.waitFor(20, TimeUnit.SECONDS), "Ferry lives on after an OutOfMemoryError: " + ferry.log());
            assertEquals(3, ferry.process.exitValue(), ferry.log());
            assertTrue(ferry.log().contains("FATAL Ferry: a VirtualMachineError (OutOfMemoryError) escaped outside a command"),
                ferry.log());
            System.out.println("ShutdownIT escaped OutOfMemoryError: exit 3 after "
                + (System.nanoTime() - start) / 1_000_000 + " ms from the first byte");
        }
    }

    /** Sends SIGTERM and returns how long the process took to exit with 0 (failing past BOUND_MS). */
    private static long terminate(FerryProcess ferry) throws Exception {
        long start = System.nanoTime();
        ferry.process.destroy(); // SIGTERM
        boolean exited = ferry.process.waitFor(BOUND_MS, TimeUnit.MILLISECONDS);
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(exited, "still running " + BOUND_MS + " ms after SIGTERM: " + ferry.log());
        assertEquals(0, ferry.process.exitValue(), ferry.log());
        return ms;
    }

    /** KEYS keys in database 0, by pipelined MSETs of 1,000 pairs. */
    private static void populate(int port) throws IOException {
        try (RawClient c = new RawClient(port)) {
            int batch = 1000;
            for (int done = 0; done < KEYS; ) {
                ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
                int commands = 0;
                for (; commands < 100 && done < KEYS; commands++) {
                    byte[][] args = new byte[1 + 2 * batch][];
                    args[0] = "MSET".getBytes();
                    for (int i = 0; i < batch; i++, done++) {
                        args[1 + 2 * i] = ("it:key:" + done).getBytes();
                        args[2 + 2 * i] = "v".getBytes();
                    }
                    pipeline.writeBytes(RawClient.encode(args));
                }
                c.sendRaw(pipeline.toByteArray());
                for (int i = 0; i < commands; i++) assertEquals("+OK\r\n", c.readReply());
            }
            assertEquals(":" + KEYS + "\r\n", c.call("DBSIZE"));
        }
    }

    private static void assertThrowsTimeout(Socket s) throws IOException {
        try {
            int b = s.getInputStream().read();
            throw new AssertionError("the loop answered (" + (char) b + "): it was not busy");
        } catch (SocketTimeoutException expected) {
            // busy, as intended
        }
    }
}
