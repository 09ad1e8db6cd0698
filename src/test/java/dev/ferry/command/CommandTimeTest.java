package dev.ferry.command;

import dev.ferry.support.FerryPort;
import dev.ferry.support.RawClient;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * INFO commandstats' usec: a command's time is the loop's time on it. Within one read the executor takes a
 * command's start from the end of the one before it (one clock read per command); these check that a command
 * never counts the time a connection sat idle before it, nor the time a transaction's commands waited queued.
 */
@QuarkusTest
class CommandTimeTest {
    private static final long IDLE_MS = 300;

    @Test
    void aCommandAfterAnIdlePauseCountsOnlyItsOwnTime() throws Exception {
        try (RawClient c = new RawClient(FerryPort.get())) {
            assertEquals("+OK\r\n", c.call("CONFIG", "RESETSTAT"));
            for (int i = 0; i < 3; i++) {
                Thread.sleep(IDLE_MS);
                // a pipeline of several, so that the ones after the first start where the one before ended
                c.sendRaw("*2\r\n$4\r\nECHO\r\n$1\r\na\r\n*2\r\n$4\r\nECHO\r\n$1\r\nb\r\n");
                assertEquals("$1\r\na\r\n", c.readReply());
                assertEquals("$1\r\nb\r\n", c.readReply());
            }
            long[] stat = stat(c, "echo");
            assertEquals(6, stat[0]);
            assertTrue(stat[1] < IDLE_MS * 1000 / 3, "6 ECHOs took " + stat[1] + " usec: idle time was counted");
        }
    }

    @Test
    void execCountsItsCommandsNotTheirWaitInTheQueue() throws Exception {
        try (RawClient c = new RawClient(FerryPort.get())) {
            assertEquals("+OK\r\n", c.call("CONFIG", "RESETSTAT"));
            assertEquals("+OK\r\n", c.call("MULTI"));
            assertEquals("+QUEUED\r\n", c.call("ECHO", "x"));
            Thread.sleep(IDLE_MS);
            // a new read: EXEC reads the clock itself, whatever ended before the pause
            c.sendRaw("*2\r\n$4\r\nECHO\r\n$1\r\ny\r\n*1\r\n$4\r\nEXEC\r\n");
            assertEquals("+QUEUED\r\n", c.readReply());
            assertEquals("*2\r\n$1\r\nx\r\n$1\r\ny\r\n", c.readReply());
            long exec = stat(c, "exec")[1];
            assertTrue(exec < IDLE_MS * 1000 / 3, "EXEC took " + exec + " usec: the wait before it was counted");
        }
    }

    /** calls and usec of one command in INFO commandstats. */
    private static long[] stat(RawClient c, String command) throws Exception {
        String info = c.call("INFO", "commandstats");
        Matcher m = Pattern.compile("cmdstat_" + command + ":calls=(\\d+),usec=(\\d+),").matcher(info);
        assertTrue(m.find(), info);
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }
}
