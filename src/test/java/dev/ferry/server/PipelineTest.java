package dev.ferry.server;

import dev.ferry.support.FerryPort;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
class PipelineTest {

    @Test
    void jedisRoundTrip() {
        try (Jedis j = new Jedis("127.0.0.1", FerryPort.get())) {
            assertEquals("PONG", j.ping());
            assertEquals("OK", j.set("pipeline:hello", "world"));
            assertEquals("world", j.get("pipeline:hello"));
        }
    }

    /** 100,000 commands in one write come back as 100,000 replies, in order. */
    @Test
    void hundredThousandCommandsInOneWrite() throws Exception {
        int n = 100_000;
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            String key = "p:" + i;
            String v = Integer.toString(i);
            if (i % 2 == 0) {
                req.writeBytes(("*3\r\n$3\r\nSET\r\n$" + key.length() + "\r\n" + key + "\r\n$" + v.length() + "\r\n" + v + "\r\n").getBytes(StandardCharsets.US_ASCII));
            } else {
                String prev = "p:" + (i - 1);
                req.writeBytes(("*2\r\n$3\r\nGET\r\n$" + prev.length() + "\r\n" + prev + "\r\n").getBytes(StandardCharsets.US_ASCII));
            }
        }
        try (Socket s = new Socket("127.0.0.1", FerryPort.get())) {
            OutputStream out = s.getOutputStream();
            Thread writer = new Thread(() -> {
                try {
                    out.write(req.toByteArray());
                    out.flush();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            writer.start();
            InputStream in = new BufferedInputStream(s.getInputStream(), 1 << 16);
            for (int i = 0; i < n; i++) {
                if (i % 2 == 0) {
                    assertEquals("+OK", line(in), "reply " + i);
                } else {
                    String expected = Integer.toString(i - 1);
                    assertEquals("$" + expected.length(), line(in), "reply " + i);
                    assertEquals(expected, line(in), "reply " + i);
                }
            }
            writer.join();
        }
    }

    static String line(InputStream in) throws Exception {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) throw new IllegalStateException("connection closed after: " + sb);
            sb.append((char) c);
        }
        in.read();
        return sb.toString();
    }
}
