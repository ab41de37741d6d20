package io.switchboard.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads {@code gateway.apiKeysFile}: one SHA-256 hash (64 hex digits, as {@code sha256sum}
 * prints it) per line; blank lines and lines starting with {@code #} are skipped, and anything
 * after the hash on a line (sha256sum's {@code  -}) is ignored. A bad line fails startup with its
 * number only: if someone pasted a raw key there, the error must not print it.
 */
public final class ApiKeysFile {

    private ApiKeysFile() {}

    public static List<String> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "gateway.apiKeysFile: cannot read " + file + " ("
                            + e.getClass().getSimpleName() + ")",
                    e);
        }
        return parse(lines, file.toString());
    }

    static List<String> parse(List<String> lines, String name) {
        var hashes = new ArrayList<String>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = indexOfWhitespace(line);
            String hash = (space < 0 ? line : line.substring(0, space)).toLowerCase(Locale.ROOT);
            if (!ApiKeys.isSha256Hex(hash)) {
                throw new IllegalArgumentException("gateway.apiKeysFile: line " + (i + 1) + " of " + name
                        + " is not a SHA-256 hash (64 hex digits); store hashes, never keys"
                        + " (printf %s \"$KEY\" | sha256sum)");
            }
            hashes.add(hash);
        }
        return hashes;
    }

    private static int indexOfWhitespace(String line) {
        for (int i = 0; i < line.length(); i++) {
            if (Character.isWhitespace(line.charAt(i))) {
                return i;
            }
        }
        return -1;
    }
}
