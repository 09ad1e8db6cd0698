package dev.ferry.api;

import dev.ferry.archive.ArchivedSnapshot;

/**
 * One snapshot as the admin API shows it: the local file ({@code id} "local") or an archived object (its id is
 * the object's name without "snapshots/" and ".rdb": {@code <yyyyMMddTHHmmssZ>-<replid>-<offset>}).
 *
 * @param keys     keys in it; null for the local file (counting them would mean reading it whole)
 * @param archived for the local file: whether the manifest lists a snapshot with its replid, offset and CRC64
 */
public record SnapshotView(String id, String location, String key, String replid, long offset, long bytes, Long keys,
                           int rdbVersion, String crc64, String created, String source, boolean archived) {

    static String idOf(ArchivedSnapshot s) {
        String k = s.key();
        int slash = k.lastIndexOf('/');
        String name = k.substring(slash + 1);
        return name.endsWith(".rdb") ? name.substring(0, name.length() - 4) : name;
    }

    static SnapshotView of(ArchivedSnapshot s) {
        return new SnapshotView(idOf(s), "archive", s.key(), s.replId(), s.offset(), s.bytes(), s.keys(), s.rdbVersion(),
            s.crc64(), s.created(), s.source(), true);
    }
}
