package dev.ferry.command.list;

import dev.ferry.engine.CommandTable;

/** BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP (phase 2). */
final class BlockingLists {
    private final ListFamily lists;

    BlockingLists(ListFamily lists) {
        this.lists = lists;
    }

    void register(CommandTable t) {
    }
}
