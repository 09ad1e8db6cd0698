package dev.ferry.archive;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One archived snapshot as the manifest lists it: where it is, the replication position it resumes from, and
 * what a reader checks before trusting it (its size and the CRC64 of its trailer).
 *
 * @param key        the object's key under the archive's root
 * @param replId     the AUX repl-id of the file: the history a replica PSYNCs with
 * @param offset     the AUX repl-offset of the file
 * @param crc64      the file's CRC64 trailer, 16 hex digits (0 when written with rdbchecksum no)
 * @param bytes      the object's size
 * @param keys       keys in the snapshot
 * @param rdbVersion the RDB format version of the file
 * @param created    when the snapshot was taken, ISO-8601 UTC
 * @param source     the role of the node that archived it: master or replica
 */
public record ArchivedSnapshot(
    @JsonProperty("key") String key,
    @JsonProperty("replid") String replId,
    @JsonProperty("offset") long offset,
    @JsonProperty("crc64") String crc64,
    @JsonProperty("bytes") long bytes,
    @JsonProperty("keys") long keys,
    @JsonProperty("rdb_version") int rdbVersion,
    @JsonProperty("created") String created,
    @JsonProperty("source") String source) {
}
