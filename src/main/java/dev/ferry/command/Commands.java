package dev.ferry.command;

import java.util.List;

/** The full command table: each family adds its own rows. Adding a family = one line here. */
public final class Commands {
    private Commands() {}

    static List<CommandFamily> families() {
        return List.of(
            new ConnectionCommands(),
            new ClientCommands(),
            new StringCommands(),
            new KeyCommands(),
            new TransactionCommands(),
            new ServerCommands(),
            new IntrospectionCommands());
    }

    public static CommandTable table() {
        CommandTable t = new CommandTable();
        for (CommandFamily f : families()) f.register(t);
        return t;
    }
}
