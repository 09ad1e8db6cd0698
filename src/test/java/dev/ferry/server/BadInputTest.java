package dev.ferry.server;

import dev.ferry.support.FerryPort;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisPeer;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Protocol garbage through the real server: the same error bytes as redis-server, the connection closed
 * where Redis closes it, and every other client still served.
 */
@QuarkusTest
class BadInputTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer();

    static final List<String> FATAL = List.of(
        "*abc\r\n",
        "*2147483648\r\n",
        "*1\r\nxyz\r\n",
        "*1\r\n$-1\r\n",
        "*1\r\n$536870913\r\n",
        "*1\r\n$12x\r\n",
        "set \"abc\r\n",
        "set 'a'b c\r\n");

    @Test
    void protocolErrorsMatchRedisAndCloseOnlyThatConnection() throws Exception {
        try (RawClient bystander = new RawClient(FerryPort.get())) {
            for (String garbage : FATAL) {
                String expected = replyThenClosed(redis.port(), garbage);
                String actual = replyThenClosed(FerryPort.get(), garbage);
                assertEquals(expected, actual, "reply to " + garbage.replace("\r\n", "\\r\\n"));
                assertEquals("+PONG\r\n", bystander.call("PING"), "another client is still served");
            }
        }
    }

    @Test
    void inlineCommandsAndIgnoredEmptyFramesWorkLikeRedis() throws Exception {
        String script = "PING\r\n\r\n*0\r\nECHO \"a\\x41\\tb\" 'c d'\r\nSET inline:k \"v w\"\nGET inline:k\r\n";
        try (RawClient f = new RawClient(FerryPort.get()); RawClient r = new RawClient(redis.port())) {
            f.sendRaw(script);
            r.sendRaw(script);
            for (int i = 0; i < 4; i++) assertEquals(r.readReply(), f.readReply());
        }
    }

    @Test
    void wrongTypeArityAndNumbersKeepTheConnection() throws Exception {
        try (RawClient f = new RawClient(FerryPort.get()); RawClient r = new RawClient(redis.port())) {
            for (String[] cmd : List.of(
                new String[] {"INCRBY", "bad:n", "notanumber"},
                new String[] {"INCRBYFLOAT", "bad:n", "1e"},
                new String[] {"SETEX", "bad:k", "-1", "v"},
                new String[] {"GET"},
                new String[] {"EXPIRE", "bad:k", "99999999999999999999"},
                new String[] {"PING"})) {
                assertEquals(r.call(cmd), f.call(cmd), String.join(" ", cmd));
            }
        }
    }

    /** Sends garbage, returns the reply, and asserts the server then closed the connection. */
    static String replyThenClosed(int port, String garbage) throws IOException {
        try (RawClient c = new RawClient(port)) {
            c.sendRaw(garbage);
            String reply = c.readReply();
            IOException end = assertThrows(IOException.class, c::readReply, "connection closed after " + reply.trim());
            // a read timeout would also be an IOException: only a real end of stream counts
            assertFalse(end instanceof java.net.SocketTimeoutException, "closed, not just silent");
            return reply;
        }
    }
}
