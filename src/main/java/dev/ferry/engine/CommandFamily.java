package dev.ferry.engine;

/** A group of related commands (one class per family) that adds its rows to the table. */
public interface CommandFamily {
    void register(CommandTable table);
}
