package dev.ferry.archive;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The archived replication stream of one history, as the manifest announces it: its segments cover the offsets
 * from {@code start} to {@code end} without a gap, each uploaded and verified before {@code end} moved past it.
 * A reader walks them from any offset where a segment starts (see {@link StreamSegment}).
 *
 * @param replId       the history
 * @param start        the offset its first archived segment starts at
 * @param end          the offset its newest announced segment ends at
 * @param endTime      when the master wrote the byte at end, ISO-8601 UTC (from the segment's index)
 * @param parentReplId the history it continues (a promotion's replid2), or null
 * @param parentOffset the offset where it branched from the parent (second_repl_offset - 1), or -1
 */
public record StreamChain(
    @JsonProperty("replid") String replId,
    @JsonProperty("start") long start,
    @JsonProperty("end") long end,
    @JsonProperty("end_time") String endTime,
    @JsonProperty("parent_replid") String parentReplId,
    @JsonProperty("parent_offset") long parentOffset) {
}
