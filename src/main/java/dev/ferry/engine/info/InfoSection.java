package dev.ferry.engine.info;

/**
 * One INFO section's fields, written by the subsystem that owns them (ARCHITECTURE.md rule 9: measured
 * state only). The header and the blank line between sections are written by {@link Info}.
 */
@FunctionalInterface
public interface InfoSection {
    void write(InfoWriter out);
}
