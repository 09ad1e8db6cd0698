package dev.ferry.replication;

import dev.ferry.support.FerryPort;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisServer;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.ferry.support.ReplicationChecks.info;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ferry as the replica of a "master" that misbehaves, one fault per connection: a refused AUTH, garbage where
 * the snapshot should be, a master that dies in the middle of the transfer, a snapshot whose CRC64 is wrong.
 * Each ends the link, the dataset stays as it was (the old data keeps serving), and Ferry connects again a
 * second later; then a good snapshot (written by a real redis-server) replaces the dataset.
 */
@QuarkusTest
class MasterLinkFaultsTest {
    private static final String ID = "0123456789abcdef0123456789abcdef01234567";

    /** What the fake master does after the handshake of one connection. */
    interface Script {
        void afterPsync(OutputStream out) throws IOException;
    }

    @Test
    void everyFaultLeavesTheDatasetAndRetries() throws Exception {
        byte[] rdb = redisSnapshot();
        byte[] badCrc = rdb.clone();
        badCrc[badCrc.length - 1] ^= 0x5a;
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        List<Script> scripts = new ArrayList<>();
        scripts.add(null); // the first connection is refused at AUTH
        scripts.add(out -> out.write(ascii("+FULLRESYNC " + ID + " 100\r\nGARBAGE\r\n")));
        scripts.add(out -> {
            out.write(ascii("+FULLRESYNC " + ID + " 100\r\n$" + rdb.length + "\r\n"));
            out.write(rdb, 0, rdb.length / 2);
            // and the master dies
        });
        scripts.add(out -> {
            out.write(ascii("+FULLRESYNC " + ID + " 100\r\n$" + badCrc.length + "\r\n"));
            out.write(badCrc);
        });
        scripts.add(out -> {
            out.write(ascii("+FULLRESYNC " + ID + " 100\r\n\n\n$" + rdb.length + "\r\n"));
            out.write(rdb);
            out.write(ascii("*3\r\n$3\r\nSET\r\n$5\r\nafter\r\n$6\r\nstream\r\n"));
        });
        try (ServerSocket master = new ServerSocket(0); RawClient f = new RawClient(FerryPort.get())) {
            Thread fake = new Thread(() -> serve(master, scripts, events), "fake-master");
            fake.setDaemon(true);
            fake.start();
            f.call("SET", "faults:keep", "old");
            assertEquals("+OK\r\n", f.call("CONFIG", "SET", "masterauth", "secret"));
            assertEquals("+OK\r\n", f.call("REPLICAOF", "127.0.0.1", Integer.toString(master.getLocalPort())));
            try {
                for (String fault : List.of("auth refused", "garbage", "died", "bad crc")) {
                    String e = events.poll(15, TimeUnit.SECONDS);
                    assertEquals(fault, e);
                    // the next connection comes: the replica retried; the old dataset still answers meanwhile
                    assertEquals("$3\r\nold\r\n", f.call("GET", "faults:keep"), "after: " + fault);
                    assertEquals("down", info(f, "master_link_status"), fault);
                }
                assertEquals("good", events.poll(15, TimeUnit.SECONDS));
                long deadline = System.currentTimeMillis() + 15_000;
                while (!"up".equals(info(f, "master_link_status")) || f.call("GET", "after").startsWith("$-1")) {
                    assertTrue(System.currentTimeMillis() < deadline, "the good snapshot was not loaded");
                    Thread.sleep(20);
                }
                assertEquals("$-1\r\n", f.call("GET", "faults:keep"), "the master's snapshot replaced the dataset");
                assertEquals("$5\r\nredis\r\n", f.call("GET", "from"));
                assertEquals("$6\r\nstream\r\n", f.call("GET", "after"));
                assertEquals(ID, info(f, "master_replid"));
                assertEquals(Long.toString(100 + 36), info(f, "slave_repl_offset"), "FULLRESYNC's offset + the SET's bytes");
            } finally {
                f.call("REPLICAOF", "NO", "ONE");
                f.call("CONFIG", "SET", "masterauth", "");
                f.call("FLUSHALL");
                Files.deleteIfExists(Path.of("target/test-data/dump.rdb"));
            }
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A small snapshot written by a real redis-server: its dump.rdb after SET from redis. */
    private static byte[] redisSnapshot() throws Exception {
        try (RedisServer redis = RedisServer.start(); RawClient r = new RawClient(redis.port())) {
            r.call("SET", "from", "redis");
            r.call("RPUSH", "list", "a", "b");
            assertEquals("+OK\r\n", r.call("SAVE"));
            return Files.readAllBytes(redis.dir().resolve("dump.rdb"));
        }
    }

    /** One connection per script: the handshake as Redis answers it, then the script's fault. */
    private static void serve(ServerSocket master, List<Script> scripts, BlockingQueue<String> events) {
        String[] names = {"auth refused", "garbage", "died", "bad crc", "good"};
        for (int i = 0; i < scripts.size(); i++) {
            try (Socket s = master.accept()) {
                InputStream in = new BufferedInputStream(s.getInputStream());
                OutputStream out = s.getOutputStream();
                while (true) {
                    List<String> cmd = readCommand(in);
                    assertNotNull(cmd, "the replica closed during the handshake");
                    String name = cmd.get(0).toUpperCase();
                    if (name.equals("PING")) {
                        out.write(ascii("+PONG\r\n"));
                    } else if (name.equals("AUTH")) {
                        if (i == 0) {
                            out.write(ascii("-WRONGPASS invalid username-password pair or user is disabled.\r\n"));
                            out.flush();
                            // the replica hangs up on a refused AUTH
                            assertEquals(-1, skipToEnd(in));
                            break;
                        }
                        out.write(ascii("+OK\r\n"));
                    } else if (name.equals("REPLCONF")) {
                        out.write(ascii("+OK\r\n"));
                    } else if (name.equals("PSYNC")) {
                        scripts.get(i).afterPsync(out);
                        out.flush();
                        if (i < scripts.size() - 1) {
                            if (i != 2) skipToEnd(in); // the replica closes on a fault; "died" closes first
                        } else {
                            events.add(names[i]);
                            skipToEnd(in);
                            return;
                        }
                        break;
                    }
                    out.flush();
                }
                events.add(names[i]);
            } catch (IOException e) {
                events.add("error: " + e);
                return;
            }
        }
    }

    /** Reads until the peer closes; -1 then (acks and newlines the replica sends meanwhile are ignored). */
    private static int skipToEnd(InputStream in) throws IOException {
        byte[] b = new byte[4096];
        while (in.read(b) >= 0) { }
        return -1;
    }

    private static List<String> readCommand(InputStream in) throws IOException {
        String header = line(in);
        if (header == null) return null;
        int n = Integer.parseInt(header.substring(1));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int len = Integer.parseInt(line(in).substring(1));
            byte[] b = in.readNBytes(len + 2);
            out.add(new String(b, 0, len, StandardCharsets.ISO_8859_1));
        }
        return out;
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') return sb.toString().replace("\r", "");
            sb.append((char) c);
        }
        return null;
    }
}
