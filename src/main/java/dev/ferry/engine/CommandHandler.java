package dev.ferry.engine;

/** Executes one command: reads its arguments from the call and writes exactly one reply. */
@FunctionalInterface
public interface CommandHandler {
    void execute(Call call);
}
