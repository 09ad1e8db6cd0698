package dev.ferry.archive;

import java.nio.file.Path;

/** The contract on a local directory. */
class FileArchiveStoreTest extends ArchiveStoreContract {
    @Override
    ArchiveStore store(String root) {
        return new FileArchiveStore(tmp.resolve("archive").resolve(root));
    }
}
