package dev.ferry.command;

final class IntrospectionCommands implements CommandFamily {
    @Override
    public void register(CommandTable t) {
    }
}
