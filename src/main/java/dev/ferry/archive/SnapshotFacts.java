package dev.ferry.archive;

import dev.ferry.rdb.RdbAux;
import dev.ferry.rdb.RdbReader;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What an RDB file says about itself without being loaded: its version, its replication position (the AUX
 * fields repl-id and repl-offset a replica PSYNCs from), its size and the CRC64 in its last 8 bytes. Read from
 * the file being archived, never from what the server believed it wrote, so the metadata cannot describe a
 * different file (the save after it may have replaced the path meanwhile).
 */
public record SnapshotFacts(int rdbVersion, String replId, long replOffset, long size, long crc64) {

    public static SnapshotFacts read(Path file) throws IOException {
        RdbAux aux;
        int version;
        try (RdbReader reader = RdbReader.open(file)) {
            reader.readHeaderAux();
            aux = reader.aux();
            version = reader.version();
        }
        long size = Files.size(file);
        long crc = 0;
        if (size >= 8) {
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
                f.seek(size - 8);
                byte[] b = new byte[8];
                f.readFully(b);
                for (int i = 7; i >= 0; i--) crc = crc << 8 | (b[i] & 0xff);
            }
        }
        return new SnapshotFacts(version, aux.replId(), aux.replOffset(), size, crc);
    }

    public String crc64Hex() {
        return String.format("%016x", crc64);
    }
}
