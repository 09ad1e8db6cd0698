package dev.ferry.protocol;

import dev.ferry.support.FerryPort;
import dev.ferry.support.RedisPeer;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Framing corner cases (issue 11, finding 12) sent byte for byte to Ferry and to redis-server 7.0.15:
 * the same reply bytes, and the connection closed, or left open, alike. Only cases whose outcome does not
 * depend on how the bytes are split into reads (Redis reads 16 KB at a time, Ferry what Netty hands it).
 */
@QuarkusTest
class ParserRedisSideBySideTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer();

    static final String BIG = "a".repeat(70_000);

    /** Each case: the writes, sent with a short pause between them. */
    static final List<String[]> CASES = List.of(
        // a header's CR is followed by any byte, which is skipped
        new String[] {"*1\r\n$4\r\nPING\r\n"},
        new String[] {"*1\rX$4\r\nPING\r\n"},
        new String[] {"*1\r\n$4\rXPING\r\n"},
        new String[] {"*1\r\n$4\r\nPINGxy*1\r\n$4\r\nPING\r\n"},
        new String[] {"*1\r\n$4\r\nPING\r\r"},
        new String[] {"*1\r", "X$4\r", "\nPING\r\n"},
        new String[] {"*1\r", "\u0000$4\r", "\nPING\r\n"},
        new String[] {"*1\r\n$4\r\nPI", "NG\r\n"},
        new String[] {"*1\r\n$4\r\nPING\r\n*1\r"},
        // counts at and beyond the ends of a long
        new String[] {"*-9223372036854775808\r\n*1\r\n$4\r\nPING\r\n"},
        new String[] {"*-9223372036854775807\r\n*-1\r\n*0\r\n*1\r\n$4\r\nPING\r\n"},
        new String[] {"*-9223372036854775809\r\n"},
        new String[] {"*9223372036854775807\r\n"},
        new String[] {"*1\r\n$-9223372036854775808\r\n"},
        // a NUL before a line's end: the line never ends, until it is too big
        new String[] {"PING\u0000\r\n"},
        new String[] {"PING\u0000\r\nPING\r\n"},
        new String[] {"\u0000PING\r\n"},
        new String[] {"ECHO '\u0000'\r\n"},
        new String[] {"ECHO a\u0000b\r\n"},
        new String[] {"*1\u0000\r\n$4\r\nPING\r\n"},
        new String[] {"*1\r\n\u0000$4\r\nPING\r\n"},
        new String[] {"*1\r\n$4\u0000\r\nPING\r\n"},
        new String[] {"PING\u0000" + BIG},
        new String[] {"*1\u0000" + BIG},
        new String[] {"*1\r\n\u0000" + BIG},
        new String[] {"*1\r\n$4\u0000" + BIG},
        new String[] {"\u0000PING\r\n" + BIG},
        // a NUL inside a bulk argument is data
        new String[] {"*2\r\n$4\r\nECHO\r\n$3\r\na\u0000b\r\n"},
        // (not "*1\r\n$4\r\nPI\u0000G\r\n": the parser agrees, but Redis's unknown-command error then cuts
        // the name at the NUL, a difference of the command layer's error text, not of framing)
        // the '$' is checked once the line has its CR
        new String[] {"*1\r\n\u00ff4\r\nPING\r\n"},
        new String[] {"*1\r\n\r\n"},
        new String[] {"*1\r\n\n\n"},
        new String[] {"*1\r\nxyz", "\r\n"},
        new String[] {"*1\n$4\r\nPING\r\n"},
        new String[] {"*1\r\n$4\nPING\r\n"},
        // numbers Redis's string2ll refuses
        new String[] {"*1\r"},
        new String[] {"*-0\r\n"},
        new String[] {"*+1\r\n"},
        new String[] {"*01\r\n"},
        new String[] {"* 1\r\n"},
        new String[] {"*\r\n"},
        new String[] {"*1\r\n$\r\n"},
        new String[] {"*1\r\n$-0\r\n"},
        new String[] {"*1\r\n$01\r\n"},
        // lines without their end are limited, lines with it are not
        new String[] {"*1" + "1".repeat(70_000)},
        new String[] {"*1" + "1".repeat(70_000) + "\r"},
        new String[] {"*1" + "1".repeat(70_000) + "\rx"},
        new String[] {"*1\r\n$4" + "1".repeat(70_000)},
        new String[] {"PING" + " ".repeat(65_000) + "\r\n"},
        new String[] {"PING" + " ".repeat(200_000) + "\r\n"},
        // a protocol error, QUIT or a query-buffer close with replies off: nothing to write, so Redis never
        // reaches its close-after-reply and the connection stays open, deaf; with a reply before it, it closes
        new String[] {"CLIENT REPLY OFF\r\n*1\r\n$x\r\n", "PING\r\n"},
        new String[] {"CLIENT REPLY OFF\r\nQUIT\r\n", "PING\r\n"},
        new String[] {"PING\r\nCLIENT REPLY OFF\r\n*1\r\n$x\r\n"},
        new String[] {"CLIENT REPLY SKIP\r\n\"a\r\n"},
        // arguments echoed in errors come back byte for byte: UTF-8 "é", and C4 8A (U+010A, whose low
        // byte is a LF) that once broke the framing
        new String[] {"*3\r\n$5\r\nHELLO\r\n$1\r\n3\r\n$5\r\ncaf\u00c3\u00a9\r\nPING\r\n"},
        new String[] {"*3\r\n$5\r\nHELLO\r\n$1\r\n2\r\n$2\r\n\u00c4\u008a\r\nPING\r\n"},
        new String[] {"*3\r\n$6\r\nCLIENT\r\n$7\r\nSETNAME\r\n$2\r\n\u00c3\u00a9\r\nCLIENT GETNAME\r\n"},
        // inline line ends
        new String[] {"PING\r\r\n"},
        new String[] {"\n\r\n\r\r\nPING\n"},
        new String[] {"ECHO \"a\\x4\" b\r\n"});

    @Test
    void framingCornerCasesMatchRedis() throws Exception {
        List<String> differences = new ArrayList<>();
        for (String[] writes : CASES) {
            CompletableFuture<String> fromRedis = CompletableFuture.supplyAsync(() -> exchange(redis.port(), writes));
            String ferry = exchange(FerryPort.get(), writes);
            String expected = fromRedis.get();
            if (!expected.equals(ferry)) {
                differences.add(show(String.join(" | ", writes)) + "\n    redis: " + show(expected) + "\n    ferry: " + show(ferry));
            }
        }
        assertEquals("", String.join("\n", differences));
    }

    /** Sends the writes, then returns every reply byte and whether the server closed the connection. */
    static String exchange(int port, String[] writes) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setTcpNoDelay(true);
            OutputStream out = s.getOutputStream();
            try {
                for (int i = 0; i < writes.length; i++) {
                    if (i > 0) Thread.sleep(100);
                    out.write(writes[i].getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                }
            } catch (SocketException closedWhileWeWrote) {
                // the server answered and closed before taking all our bytes: its reply is still to read
            }
            // silence for this long means the server is waiting for more
            s.setSoTimeout(500);
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            String end;
            while (true) {
                try {
                    int n = in.read(buf);
                    if (n < 0) {
                        end = "[closed]";
                        break;
                    }
                    got.write(buf, 0, n);
                } catch (SocketTimeoutException e) {
                    end = "[open]";
                    break;
                } catch (SocketException e) {
                    // closed with our bytes still unread on its side: a reset
                    end = "[closed]";
                    break;
                }
            }
            return got.toString(StandardCharsets.ISO_8859_1) + end;
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    static String show(String s) {
        StringBuilder sb = new StringBuilder();
        String cut = s.length() > 120 ? s.substring(0, 100) + "...(" + s.length() + " chars)" : s;
        for (char c : cut.toCharArray()) {
            if (c == '\r') sb.append("\\r");
            else if (c == '\n') sb.append("\\n");
            else if (c < 32 || c > 126) sb.append(String.format("\\x%02x", (int) c));
            else sb.append(c);
        }
        return sb.toString();
    }
}
