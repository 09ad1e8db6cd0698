package dev.ferry.command;

final class TransactionCommands implements CommandFamily {
    @Override
    public void register(CommandTable t) {
    }
}
