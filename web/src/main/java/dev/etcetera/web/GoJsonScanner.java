package dev.etcetera.web;

/**
 * Finds the first JSON value in a request body and judges its syntax the way Go's
 * {@code encoding/json} Decoder does, so that malformed bodies get the exact message etcd's gateway
 * returns ({@code invalid character 'x' after object key}, {@code unexpected EOF}, ...). Like the
 * Decoder, only the first value counts: anything after it is ignored.
 */
final class GoJsonScanner {
    /** Outcome: {@code error} is Go's message, or null with {@code end} the offset after the value. */
    record Result(String error, int end, boolean empty) {
    }

    private final String s;
    private int i;

    private GoJsonScanner(String s) {
        this.s = s;
    }

    static Result scan(String body) {
        GoJsonScanner sc = new GoJsonScanner(body);
        sc.skipSpace();
        if (sc.i == body.length()) {
            return new Result(null, body.length(), true);
        }
        try {
            sc.value();
            return new Result(null, sc.i, false);
        } catch (Syntax e) {
            return new Result(e.getMessage(), -1, false);
        }
    }

    private static final class Syntax extends Exception {
        Syntax(String message) {
            super(message, null, false, false);
        }
    }

    private Syntax eof() {
        return new Syntax("unexpected EOF");
    }

    private Syntax bad(String context) {
        return i >= s.length() ? eof() : new Syntax("invalid character " + quoteChar(s.charAt(i)) + " " + context);
    }

    private void skipSpace() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                i++;
            } else {
                return;
            }
        }
    }

    private char peek() throws Syntax {
        if (i >= s.length()) {
            throw eof();
        }
        return s.charAt(i);
    }

    private void value() throws Syntax {
        skipSpace();
        char c = peek();
        switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    number();
                } else {
                    throw bad("looking for beginning of value");
                }
            }
        }
    }

    private void object() throws Syntax {
        i++; // '{'
        skipSpace();
        if (peek() == '}') {
            i++;
            return;
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw bad("looking for beginning of object key string");
            }
            string();
            skipSpace();
            if (peek() != ':') {
                throw bad("after object key");
            }
            i++;
            value();
            skipSpace();
            char c = peek();
            if (c == ',') {
                i++;
            } else if (c == '}') {
                i++;
                return;
            } else {
                throw bad("after object key:value pair");
            }
        }
    }

    private void array() throws Syntax {
        i++; // '['
        skipSpace();
        if (peek() == ']') {
            i++;
            return;
        }
        while (true) {
            value();
            skipSpace();
            char c = peek();
            if (c == ',') {
                i++;
            } else if (c == ']') {
                i++;
                return;
            } else {
                throw bad("after array element");
            }
        }
    }

    private void string() throws Syntax {
        i++; // opening quote
        while (true) {
            char c = peek();
            if (c == '"') {
                i++;
                return;
            }
            if (c == '\\') {
                i++;
                char e = peek();
                if ("\"\\/bfnrt".indexOf(e) >= 0) {
                    i++;
                } else if (e == 'u') {
                    i++;
                    for (int k = 0; k < 4; k++) {
                        char h = peek();
                        if (Character.digit(h, 16) < 0) {
                            throw bad("in \\u hexadecimal character escape");
                        }
                        i++;
                    }
                } else {
                    throw bad("in string escape code");
                }
                continue;
            }
            if (c < 0x20) {
                throw bad("in string literal");
            }
            i++;
        }
    }

    private void literal(String word) throws Syntax {
        i++; // first letter already matched
        for (int k = 1; k < word.length(); k++) {
            if (peek() != word.charAt(k)) {
                throw bad("in literal " + word + " (expecting " + quoteChar(word.charAt(k)) + ")");
            }
            i++;
        }
    }

    private void number() throws Syntax {
        if (s.charAt(i) == '-') {
            i++;
            char c = peek();
            if (!(c >= '0' && c <= '9')) {
                throw bad("in numeric literal");
            }
        }
        if (s.charAt(i) == '0') {
            i++;
        } else {
            while (i < s.length() && Character.isDigit(s.charAt(i)) && s.charAt(i) < 128) {
                i++;
            }
        }
        if (i < s.length() && s.charAt(i) == '.') {
            i++;
            char c = peek();
            if (!(c >= '0' && c <= '9')) {
                throw bad("after decimal point in numeric literal");
            }
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
            }
        }
        if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            char c = peek();
            if (c == '+' || c == '-') {
                i++;
                c = peek();
            }
            if (!(c >= '0' && c <= '9')) {
                throw bad("in exponent of numeric literal");
            }
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
            }
        }
    }

    /** Go's quoteChar: {@code 'x'}, with {@code '\''} and {@code '"'} special and control characters escaped. */
    static String quoteChar(char c) {
        if (c == '\'') {
            return "'\\''";
        }
        if (c == '"') {
            return "'\"'";
        }
        return switch (c) {
            case '\n' -> "'\\n'";
            case '\r' -> "'\\r'";
            case '\t' -> "'\\t'";
            case '\b' -> "'\\b'";
            case '\f' -> "'\\f'";
            default -> c < 0x20 || c == 0x7f ? String.format("'\\x%02x'", (int) c) : "'" + c + "'";
        };
    }
}
