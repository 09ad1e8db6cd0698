package dev.ferry.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.archive.ArchiveStore.ObjectInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link ArchiveStore} must do, run against each implementation by a subclass that says how to open one
 * rooted at a fresh place.
 */
abstract class ArchiveStoreContract {
    static final int BIG = 40 * 1024 * 1024;

    @TempDir
    Path tmp;

    /** A store rooted at a place of its own for this test; another name is another root beside it. */
    abstract ArchiveStore store(String root) throws IOException;

    /** Checks that a big upload was stored in parts (S3's multipart upload); nothing to check elsewhere. */
    void assertStoredInParts(String root, String key, int parts) throws Exception {
    }

    @Test
    void aBigFileGoesUpAndComesBackByteForByteWithItsMetadata() throws Exception {
        Path source = randomFile(tmp.resolve("source.rdb"), BIG, 1);
        Map<String, String> meta = Map.of("replid", "8f4c1a", "offset", "123456789");
        List<long[]> up = Collections.synchronizedList(new ArrayList<>());
        List<long[]> down = Collections.synchronizedList(new ArrayList<>());
        try (ArchiveStore store = store("big")) {
            store.upload(source, "snapshots/big.rdb", meta, (bytes, total) -> up.add(new long[] {bytes, total}));
            assertProgress(up, BIG);
            assertStoredInParts("big", "snapshots/big.rdb", 3);

            ObjectInfo info = store.head("snapshots/big.rdb").orElseThrow();
            assertEquals(BIG, info.size());
            assertEquals(meta, info.metadata());

            Path restored = tmp.resolve("restore").resolve("big.rdb");
            assertTrue(store.download("snapshots/big.rdb", restored, (bytes, total) -> down.add(new long[] {bytes, total})));
            assertEquals(-1, Files.mismatch(source, restored), "the download differs from the upload");
            assertProgress(down, BIG);
            try (Stream<Path> files = Files.list(restored.getParent())) {
                assertEquals(List.of(restored), files.toList(), "no temporary file is left beside the download");
            }

            // read as a stream, in uneven pieces, to its end
            try (InputStream in = store.open("snapshots/big.rdb").orElseThrow()) {
                Path streamed = tmp.resolve("streamed.rdb");
                try (OutputStream out = Files.newOutputStream(streamed)) {
                    byte[] buf = new byte[70_001];
                    int n;
                    while ((n = in.read(buf, 0, 1 + (int) (Files.size(source) % buf.length))) >= 0) out.write(buf, 0, n);
                }
                assertEquals(-1, Files.mismatch(source, streamed), "the stream differs from the upload");
            }
        }
    }

    /** Several reports, never going back, ending at the whole size. */
    private static void assertProgress(List<long[]> reports, long size) {
        assertTrue(reports.size() >= 3, "progress reported " + reports.size() + " times");
        long previous = 0;
        for (long[] r : reports) {
            assertTrue(r[0] >= previous && r[0] <= size, "progress went from " + previous + " to " + r[0]);
            assertEquals(size, r[1], "the total reported");
            previous = r[0];
        }
        assertEquals(size, previous, "the last report is the whole size");
    }

    @Test
    void whatIsNotThereIsEmpty() throws Exception {
        try (ArchiveStore store = store("missing")) {
            assertEquals(Optional.empty(), store.head("snapshots/none.rdb"));
            assertEquals(Optional.empty(), store.read("manifest.json"));
            Path target = tmp.resolve("restore").resolve("none.rdb");
            assertFalse(store.download("snapshots/none.rdb", target, ArchiveStore.Progress.NONE));
            assertFalse(Files.exists(target));
            assertEquals(Optional.empty(), store.open("snapshots/none.rdb"));
        }
    }

    @Test
    void aSmallObjectIsWrittenReadAndReplaced() throws Exception {
        try (ArchiveStore store = store("small")) {
            store.write("manifest.json", json("{\"snapshots\":[]}"), "application/json");
            assertArrayEquals(json("{\"snapshots\":[]}"), store.read("manifest.json").orElseThrow());
            store.write("manifest.json", json("{\"snapshots\":[\"a\"]}"), "application/json");
            assertArrayEquals(json("{\"snapshots\":[\"a\"]}"), store.read("manifest.json").orElseThrow());
            assertEquals(json("{\"snapshots\":[\"a\"]}").length, store.head("manifest.json").orElseThrow().size());
        }
    }

    @Test
    void anUploadReplacesTheObjectAndItsMetadata() throws Exception {
        Path first = randomFile(tmp.resolve("first"), 1000, 2);
        Path second = randomFile(tmp.resolve("second"), 3000, 3);
        try (ArchiveStore store = store("replace")) {
            store.upload(first, "snapshots/s.rdb", Map.of("offset", "1"), ArchiveStore.Progress.NONE);
            store.upload(second, "snapshots/s.rdb", Map.of("replid", "b"), ArchiveStore.Progress.NONE);
            ObjectInfo info = store.head("snapshots/s.rdb").orElseThrow();
            assertEquals(3000, info.size());
            assertEquals(Map.of("replid", "b"), info.metadata());
            assertArrayEquals(Files.readAllBytes(second), store.read("snapshots/s.rdb").orElseThrow());
        }
    }

    @Test
    void deletingIsFinalAndDeletingAgainIsFine() throws Exception {
        try (ArchiveStore store = store("delete")) {
            store.write("manifest.json", json("{}"), "application/json");
            store.delete("manifest.json");
            assertEquals(Optional.empty(), store.head("manifest.json"));
            assertEquals(Optional.empty(), store.read("manifest.json"));
            store.delete("manifest.json");
            store.delete("never-was.json");
        }
    }

    @Test
    void storesAtTwoRootsDoNotSeeEachOthersObjects() throws Exception {
        try (ArchiveStore a = store("a"); ArchiveStore b = store("b")) {
            a.write("manifest.json", json("{\"at\":\"a\"}"), "application/json");
            assertEquals(Optional.empty(), b.head("manifest.json"));
            assertEquals(Optional.empty(), b.read("manifest.json"));
            b.write("manifest.json", json("{\"at\":\"b\"}"), "application/json");
            assertArrayEquals(json("{\"at\":\"a\"}"), a.read("manifest.json").orElseThrow());
            assertArrayEquals(json("{\"at\":\"b\"}"), b.read("manifest.json").orElseThrow());
            b.delete("manifest.json");
            assertTrue(a.head("manifest.json").isPresent(), "a delete at one root leaves the other's object");
        }
    }

    static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Path randomFile(Path file, int size, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] chunk = new byte[1024 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int left = size; left > 0; left -= chunk.length) {
                for (int i = 0; i < chunk.length; i += 8) {
                    long v = random.nextLong();
                    for (int j = 0; j < 8; j++) chunk[i + j] = (byte) (v >>> (8 * j));
                }
                out.write(chunk, 0, Math.min(left, chunk.length));
            }
        }
        return file;
    }
}
