package dev.ferry.command;

final class ServerCommands implements CommandFamily {
    @Override
    public void register(CommandTable t) {
    }
}
