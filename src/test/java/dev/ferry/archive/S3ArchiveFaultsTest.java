package dev.ferry.archive;

import static dev.ferry.archive.ArchiveStoreContract.json;
import static dev.ferry.archive.ArchiveStoreContract.randomFile;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.support.S3Proxy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an operator reads when S3 is misconfigured or goes away, and what it leaves behind. */
class S3ArchiveFaultsTest {
    private static final String SECRET = "faults-secret-7f3a";
    private static S3Proxy proxy;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startS3() throws Exception {
        proxy = S3Proxy.start("faults-id", SECRET);
        proxy.createBucket("archive");
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (proxy != null) proxy.close();
    }

    private static S3ArchiveStore store(String url, String identity, String secret) {
        return new S3ArchiveStore((ArchiveUrl.S3) ArchiveUrl.parse(url), S3ArchiveStoreTest.settings(proxy),
            S3ArchiveStoreTest.credentials(identity, secret));
    }

    @Test
    void wrongCredentialsAreAccessDeniedWithoutTheSecret() {
        String wrong = "not-the-secret-91c2";
        try (ArchiveStore store = store("s3://archive/faults", "faults-id", wrong)) {
            IOException e = assertThrows(IOException.class, () -> store.write("manifest.json", json("{}"), "application/json"));
            assertTrue(e.getMessage().contains("access denied: check the credentials"), e.getMessage());
            assertTrue(e.getMessage().contains(proxy.endpoint()), e.getMessage());
            assertFalse(e.getMessage().contains(wrong) || e.getMessage().contains(SECRET), e.getMessage());
        }
        try (ArchiveStore store = store("s3://archive/faults", "nobody", SECRET)) {
            IOException e = assertThrows(IOException.class, () -> store.read("manifest.json"));
            assertTrue(e.getMessage().contains("access denied: check the credentials"), e.getMessage());
            assertFalse(e.getMessage().contains(SECRET), e.getMessage());
        }
    }

    @Test
    void anUnreachableEndpointFailsWithinSecondsNamingIt() throws Exception {
        String endpoint = "http://127.0.0.1:" + S3Proxy.freePort(); // nothing listens there
        S3Settings settings = S3Settings.parse(endpoint, "us-east-1", null, null, null, null, null);
        Path file = randomFile(tmp.resolve("small.rdb"), 1000, 4);
        try (ArchiveStore store = new S3ArchiveStore((ArchiveUrl.S3) ArchiveUrl.parse("s3://archive/faults"), settings,
                S3ArchiveStoreTest.credentials("faults-id", SECRET))) {
            long start = System.nanoTime();
            IOException e = assertThrows(IOException.class, () -> store.upload(file, "snapshots/s.rdb", Map.of(), ArchiveStore.Progress.NONE));
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            assertTrue(seconds < 15, "failed after " + seconds + " s");
            assertTrue(e.getMessage().contains("cannot reach " + endpoint), e.getMessage());
            IOException head = assertThrows(IOException.class, () -> store.head("snapshots/s.rdb"));
            assertTrue(head.getMessage().contains("cannot reach " + endpoint), head.getMessage());
        }
    }

    @Test
    void s3GoingAwayMidUploadFailsItAndLeavesNoObject() throws Exception {
        Path big = randomFile(tmp.resolve("big.rdb"), ArchiveStoreContract.BIG, 5);
        AtomicBoolean cut = new AtomicBoolean();
        // the server dies while the first part is on its way: the callback holds the SDK thread until it is gone
        ArchiveStore.Progress killer = (bytes, total) -> {
            if (bytes > S3ArchiveStore.PART_SIZE / 2 && cut.compareAndSet(false, true)) proxy.stop();
        };
        try (ArchiveStore store = store("s3://archive/cut", "faults-id", SECRET)) {
            try {
                IOException e = assertThrows(IOException.class, () -> store.upload(big, "snapshots/cut.rdb", Map.of(), killer));
                assertTrue(cut.get(), "the server was stopped during the upload");
                assertTrue(e.getMessage().contains(proxy.endpoint()), e.getMessage());
            } finally {
                proxy.start();
            }
            assertEquals(Optional.empty(), store.head("snapshots/cut.rdb"), "no partial object after the restart");
            assertEquals(Optional.empty(), store.read("snapshots/cut.rdb"));
            store.write("manifest.json", json("{\"after\":\"restart\"}"), "application/json");
            assertArrayEquals(json("{\"after\":\"restart\"}"), store.read("manifest.json").orElseThrow(), "the same store works again");
        }
    }

    @Test
    void aMissingBucketIsNamed() throws Exception {
        Path file = randomFile(tmp.resolve("small.rdb"), 1000, 6);
        try (ArchiveStore store = store("s3://no-such-bucket/x", "faults-id", SECRET)) {
            IOException write = assertThrows(IOException.class, () -> store.write("manifest.json", json("{}"), "application/json"));
            assertTrue(write.getMessage().contains("no such bucket"), write.getMessage());
            assertTrue(write.getMessage().contains("s3://no-such-bucket/x/manifest.json"), write.getMessage());
            IOException upload = assertThrows(IOException.class, () -> store.upload(file, "s.rdb", Map.of(), ArchiveStore.Progress.NONE));
            assertTrue(upload.getMessage().contains("no such bucket"), upload.getMessage());
            IOException read = assertThrows(IOException.class, () -> store.read("manifest.json"));
            assertTrue(read.getMessage().contains("no such bucket"), read.getMessage());
        }
    }
}
