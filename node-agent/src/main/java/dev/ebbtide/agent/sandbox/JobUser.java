package dev.ebbtide.agent.sandbox;

/** The unprivileged uid:gid ranks run as when the agent is root ({@code job-user}, default {@code 65534:65534}). */
public record JobUser(int uid, int gid) {
    public static final JobUser NOBODY = new JobUser(65534, 65534);

    public JobUser {
        if (uid <= 0 || gid <= 0) {
            throw new IllegalArgumentException(
                    "job-user must not be root (uid and gid above 0), got " + uid + ":" + gid);
        }
    }

    /** {@code UID:GID} or {@code UID} (then gid = uid); null for text that is neither. */
    public static JobUser parse(String text) {
        String t = text.trim();
        if (!t.matches("\\d{1,9}(:\\d{1,9})?")) {
            return null;
        }
        int colon = t.indexOf(':');
        int uid = Integer.parseInt(colon < 0 ? t : t.substring(0, colon));
        int gid = colon < 0 ? uid : Integer.parseInt(t.substring(colon + 1));
        return new JobUser(uid, gid);
    }

    @Override
    public String toString() {
        return uid + ":" + gid;
    }
}
