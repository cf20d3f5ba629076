package dev.ebbtide.agent.env;

import java.util.regex.Pattern;

/**
 * Container image references in the one form Ebbtide compares them in, as Docker resolves them: {@code python},
 * {@code library/python:latest} and {@code docker.io/library/python:latest} are the same image. Pure.
 */
public final class ImageName {
    private static final Pattern REF = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/:@+-]*");

    private ImageName() {}

    /**
     * The normalized reference: a registry host (default {@code docker.io}), {@code library/} for Docker Hub's
     * official images, and a tag ({@code :latest} unless a tag or digest is given).
     *
     * @throws IllegalArgumentException with one sentence when the text is not an image reference
     */
    public static String normalize(String ref) {
        String s = ref == null ? "" : ref.strip();
        if (!REF.matcher(s).matches() || s.contains("//")) {
            throw new IllegalArgumentException("'" + s + "' is not a container image reference");
        }
        String first = s.contains("/") ? s.substring(0, s.indexOf('/')) : "";
        boolean hasRegistry =
                !first.isEmpty() && (first.contains(".") || first.contains(":") || first.equals("localhost"));
        String rest = hasRegistry ? s.substring(first.length() + 1) : s;
        String registry = hasRegistry ? first : "docker.io";
        if (registry.equals("docker.io") && !rest.contains("/")) {
            rest = "library/" + rest;
        }
        String lastPart = rest.substring(rest.lastIndexOf('/') + 1);
        if (!lastPart.contains(":") && !rest.contains("@")) {
            rest = rest + ":latest";
        }
        return registry + "/" + rest;
    }

    /** Docker's reference grammar (distribution/reference): a lowercase path of components, a tag, a digest. */
    private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";

    private static final Pattern DOCKER = Pattern.compile("(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
            + "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]+)?/)?"
            + COMPONENT + "(?:/" + COMPONENT + ")*"
            + "(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?"
            + "(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?");

    /**
     * The normalized reference ({@link #normalize}) when Docker accepts it as an image to pull and run (lowercase
     * repository, a tag of at most 128 characters, a digest); never an argument Docker could read as an option.
     *
     * @throws IllegalArgumentException with one sentence naming the reference
     */
    public static String docker(String ref) {
        String normalized;
        try {
            normalized = normalize(ref);
        } catch (IllegalArgumentException e) {
            normalized = null;
        }
        if (normalized == null || !DOCKER.matcher(normalized).matches()) {
            throw new IllegalArgumentException("the image '" + (ref == null ? "" : ref.strip())
                    + "' is not a valid container image reference (a lowercase repository such as"
                    + " python:3.11 or myregistry.azurecr.io/team/train:1, a tag, a digest)");
        }
        return normalized;
    }

    /** A directory name for an image (letters, digits, {@code . _ -}; others become {@code _}). */
    public static String directoryName(String normalized) {
        return normalized.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
