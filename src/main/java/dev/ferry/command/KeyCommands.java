package dev.ferry.command;

final class KeyCommands implements CommandFamily {
    @Override
    public void register(CommandTable t) {
    }
}
