package dev.ferry.rdb;

import dev.ferry.store.Listpack;
import dev.ferry.store.RdbType;


import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static dev.ferry.rdb.RedisSide.b;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Throughput of the writer and the reader on a large file: a measurement, not a test (no test runner picks it
 * up), run after {@code ./mvnw -B -q test-compile} with {@code bench/rdb-throughput.sh}. Writes ~1 GB of strings of mixed sizes (text that compresses, random bytes that does
 * not), listpack hashes and plain hashes, then reads it back with a counting visitor; prints MB/s.
 */
public final class RdbThroughput {
    public static void main(String[] args) throws Exception {
        Path file = Files.createTempFile("rdb-bench", ".rdb");
        try {
            for (boolean compression : new boolean[] {false, true}) {
                Random rnd = new Random(1);
                byte[] random = new byte[1 << 20];
                rnd.nextBytes(random);
                byte[] text = b("The quick brown fox jumps over the lazy dog, 0123456789. ".repeat(20_000));
                Listpack h = new Listpack();
                for (int i = 0; i < 50; i++) {
                    h.append(b("field" + i));
                    h.append(b("value-" + i * 31));
                }
                byte[] hashLp = h.toBytes();
                long keys = 0;
                long t0 = System.nanoTime();
                try (OutputStream fs = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
                     RdbOutput o = RdbOutput.to(fs, compression, true)) {
                    o.writeHeader();
                    o.writeSelectDb(0);
                    while (o.written() < 1L << 30) {
                        int kind = (int) (keys % 4);
                        o.writeKey(kind == 3 ? RdbType.HASH_LISTPACK : RdbType.STRING, b("key:" + keys));
                        int len = 16 + rnd.nextInt(4000);
                        int off = rnd.nextInt(random.length - len);
                        switch (kind) {
                            case 0 -> o.writeString(random, off, len);
                            case 1 -> o.writeString(text, off % 10_000, len);
                            case 2 -> o.writeString(b(Long.toString(keys)));
                            default -> o.writeString(hashLp);
                        }
                        keys++;
                    }
                    o.writeEof();
                }
                double wsec = (System.nanoTime() - t0) / 1e9;
                long size = Files.size(file);
                long t1 = System.nanoTime();
                RdbCounter c;
                try (RdbReader r = RdbReader.open(file)) {
                    c = RdbCounter.check(r);
                }
                double rsec = (System.nanoTime() - t1) / 1e9;
                assertEquals(keys, c.keys());
                long t2 = System.nanoTime();
                try (RdbReader r = RdbReader.open(file)) {
                    r.verifyChecksum(false).read(new RdbCounter());
                }
                double nsec = (System.nanoTime() - t2) / 1e9;
                System.out.printf("compression %s: %d keys, %.0f MB; write %.0f MB/s, read %.0f MB/s (%.0f MB/s without the CRC)%n",
                    compression, keys, size / 1e6, size / 1e6 / wsec, size / 1e6 / rsec, size / 1e6 / nsec);
            }
            byte[] buf = new byte[1 << 26];
            new Random(2).nextBytes(buf);
            long t = System.nanoTime();
            long crc = 0;
            for (int i = 0; i < 8; i++) crc = Crc64.update(crc, buf, 0, buf.length);
            System.out.printf("crc64: %.0f MB/s (%x)%n", 8.0 * buf.length / 1e6 / ((System.nanoTime() - t) / 1e9), crc);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
