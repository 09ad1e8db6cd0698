package dev.ferry.command;

final class ClientCommands implements CommandFamily {
    @Override
    public void register(CommandTable t) {
    }

    /** CLIENT SETNAME's rule: no spaces, newlines or other special characters. */
    static String validName(String name) {
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (ch < '!' || ch > '~') return "ERR Client names cannot contain spaces, newlines or special characters.";
        }
        return null;
    }
}
