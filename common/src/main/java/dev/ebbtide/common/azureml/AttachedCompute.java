package dev.ebbtide.common.azureml;

/**
 * What an Azure ML {@code type: virtualmachine} document says about the machine it attaches, kept as given. Ebbtide
 * never connects over SSH (a machine joins by running the node agent), so these are stored for the record and shown
 * back without their secrets: {@link #redacted()} for every GET, {@link #toString()} for every log line.
 *
 * @param resourceId the Azure VM's resource id, or null for a machine outside Azure
 * @param ssh        the {@code ssh_settings}, or null
 */
public record AttachedCompute(String resourceId, SshSettings ssh) {

    /** What GET responses and logs show instead of a secret. */
    public static final String HIDDEN = "(hidden)";

    /**
     * {@code ssh_settings}: {@code admin_password} and {@code ssh_private_key_file} are secrets (a password, or where
     * the key is and often the key itself pasted in by mistake): never logged, never returned.
     */
    public record SshSettings(String adminUsername, Integer sshPort, String adminPassword, String sshPrivateKeyFile) {

        /** The same settings with each given secret replaced by {@link #HIDDEN}. */
        public SshSettings redacted() {
            return new SshSettings(
                    adminUsername,
                    sshPort,
                    adminPassword == null ? null : HIDDEN,
                    sshPrivateKeyFile == null ? null : HIDDEN);
        }

        @Override
        public String toString() {
            SshSettings r = redacted();
            return "SshSettings[adminUsername=" + r.adminUsername + ", sshPort=" + r.sshPort + ", adminPassword="
                    + r.adminPassword + ", sshPrivateKeyFile=" + r.sshPrivateKeyFile + "]";
        }
    }

    /** The same attachment with its secrets hidden. */
    public AttachedCompute redacted() {
        return new AttachedCompute(resourceId, ssh == null ? null : ssh.redacted());
    }

    @Override
    public String toString() {
        return "AttachedCompute[resourceId=" + resourceId + ", ssh=" + ssh + "]";
    }
}
