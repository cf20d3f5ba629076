package dev.ebbtide.datastore;

import java.nio.file.Path;

/** The rules every adapter applies to a blob path, so the two behave alike. Pure. */
public final class BlobPaths {
    private BlobPaths() {}

    /**
     * Checks a blob path: not empty, no leading {@code /}, no empty, {@code .} or {@code ..} segment, no NUL or
     * backslash, at most 1024 characters (Azure's limit).
     *
     * @return the path
     * @throws IllegalArgumentException with one sentence naming the path
     */
    public static String check(String path) {
        if (path == null || path.isEmpty()) {
            throw new IllegalArgumentException("a blob path must not be empty");
        }
        if (path.length() > 1024) {
            throw new IllegalArgumentException("blob path '" + abbreviate(path) + "' is " + path.length()
                    + " characters long, over the 1024 allowed");
        }
        if (path.startsWith("/")) {
            throw new IllegalArgumentException(
                    "blob path '" + path + "' starts with '/': datastore paths are relative to the container");
        }
        if (path.indexOf('\0') >= 0 || path.indexOf('\\') >= 0) {
            throw new IllegalArgumentException("blob path '" + abbreviate(path) + "' contains a NUL or a backslash");
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("blob path '" + path + "' has an empty, '.' or '..' segment");
            }
        }
        return path;
    }

    /** Checks a listing prefix: empty, or a path that may end with {@code /}. */
    public static String checkPrefix(String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            return "";
        }
        check(prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix);
        return prefix;
    }

    /** A folder prefix: empty, or ending with exactly one {@code /}. */
    public static String folder(String prefix) {
        if (prefix == null || prefix.isEmpty() || prefix.equals("/")) {
            return "";
        }
        String p = prefix.endsWith("/") ? prefix : prefix + "/";
        checkPrefix(p);
        return p;
    }

    /**
     * The local file a relative blob path maps to under {@code dir}.
     *
     * @throws IllegalArgumentException when the path would leave {@code dir}
     */
    static Path under(Path dir, String relative) {
        check(relative);
        Path base = dir.toAbsolutePath().normalize();
        Path target = base.resolve(relative).normalize();
        if (!target.startsWith(base) || target.equals(base)) {
            throw new IllegalArgumentException("path '" + relative + "' would leave the folder " + dir);
        }
        return target;
    }

    /** The {@code /}-separated form of a relative local path. */
    static String relative(Path dir, Path file) {
        Path rel = dir.relativize(file);
        StringBuilder sb = new StringBuilder();
        for (Path part : rel) {
            if (sb.length() > 0) {
                sb.append('/');
            }
            sb.append(part.toString());
        }
        return sb.toString();
    }

    private static String abbreviate(String path) {
        return path.length() > 80 ? path.substring(0, 80) + "…" : path.replace("\0", "\\0");
    }
}
