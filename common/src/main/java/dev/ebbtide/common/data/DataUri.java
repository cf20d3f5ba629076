package dev.ebbtide.common.data;

import dev.ebbtide.common.azureml.InvalidSpecException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The forms a job's data path takes once local paths are uploaded, parsed in one place. Pure.
 *
 * <ul>
 *   <li>{@link Datastore}: {@code azureml://datastores/<ds>/paths/<p>} (also the {@code azureml://subscriptions/…
 *       /workspaces/<w>/datastores/<ds>/paths/<p>} long form)
 *   <li>{@link JobOutputRef}: {@code azureml://jobs/<job>/outputs/<name>}
 *   <li>{@link Asset}: {@code azureml:<name>@latest}, {@code azureml:<name>:<version>}
 *   <li>{@link Blob}: {@code wasbs://<container>@<account>.blob.core.windows.net/<p>} and
 *       {@code https://<account>.blob.core.windows.net/<container>/<p>}
 *   <li>{@link Web}: any other {@code https://} or {@code http://} URL
 * </ul>
 */
public sealed interface DataUri {
    /** The default datastore's name, as Azure ML names it. */
    String DEFAULT_DATASTORE = "workspaceblobstore";

    /** A path in a named datastore; {@code path} has no leading slash ({@code ""} is the datastore's root). */
    record Datastore(String datastore, String path) implements DataUri {
        @Override
        public String toString() {
            return "azureml://datastores/" + datastore + "/paths/" + path;
        }
    }

    /** Another job's named output. */
    record JobOutputRef(String jobId, String output) implements DataUri {
        @Override
        public String toString() {
            return "azureml://jobs/" + jobId + "/outputs/" + output;
        }
    }

    /** A data asset: {@code version} is null for {@code @latest}. */
    record Asset(String name, String version) implements DataUri {
        @Override
        public String toString() {
            return "azureml:" + name + (version == null ? "@latest" : ":" + version);
        }
    }

    /** A blob path in an Azure Storage account. */
    record Blob(String account, String container, String path) implements DataUri {
        @Override
        public String toString() {
            return "https://" + account + ".blob.core.windows.net/" + container + "/" + path;
        }
    }

    /** A plain web URL (downloaded as one file). */
    record Web(String url) implements DataUri {
        @Override
        public String toString() {
            return url;
        }
    }

    Pattern DATASTORE = Pattern.compile("azureml://(?:subscriptions/[^/]+/resource[gG]roups/[^/]+/(?:providers/"
            + "Microsoft\\.MachineLearningServices/)?workspaces/[^/]+/)?datastores/([A-Za-z0-9_]+)/paths/?(.*)");
    Pattern JOB_OUTPUT = Pattern.compile("azureml://jobs/([A-Za-z0-9_][A-Za-z0-9._-]*)/outputs/([A-Za-z0-9_]+)/?");
    Pattern ASSET = Pattern.compile("azureml:([A-Za-z0-9_][A-Za-z0-9._-]*)(?:@(latest)|:([A-Za-z0-9._-]+))");
    Pattern WASBS = Pattern.compile("wasbs?://([a-z0-9-]+)@([a-z0-9]+)\\.blob\\.core\\.windows\\.net/?(.*)");
    Pattern BLOB_HTTPS = Pattern.compile("https://([a-z0-9]+)\\.blob\\.core\\.windows\\.net/([a-z0-9-]+)/?(.*)");

    /** True for strings that look like a URI rather than a local path ({@code scheme:}). */
    static boolean isUri(String text) {
        return text != null && text.matches("[A-Za-z][A-Za-z0-9+.-]*:.*") && !text.matches("[A-Za-z]:\\\\.*");
    }

    /**
     * Parses one of the forms above.
     *
     * @throws InvalidSpecException with one sentence naming the value and the forms accepted
     */
    static DataUri parse(String text) {
        String s = text == null ? "" : text.strip();
        Matcher m;
        if ((m = DATASTORE.matcher(s)).matches()) {
            return new Datastore(m.group(1), m.group(2));
        }
        if ((m = JOB_OUTPUT.matcher(s)).matches()) {
            return new JobOutputRef(m.group(1), m.group(2));
        }
        if ((m = ASSET.matcher(s)).matches()) {
            return new Asset(m.group(1), m.group(2) != null ? null : m.group(3));
        }
        if ((m = WASBS.matcher(s)).matches()) {
            return new Blob(m.group(2), m.group(1), m.group(3));
        }
        if ((m = BLOB_HTTPS.matcher(s)).matches()) {
            return new Blob(m.group(1), m.group(2), m.group(3));
        }
        if (s.startsWith("https://") || s.startsWith("http://")) {
            return new Web(s);
        }
        throw new InvalidSpecException("'" + s + "' is not a data path Ebbtide can read: use a local path, "
                + "azureml://datastores/<name>/paths/<path>, azureml://jobs/<job>/outputs/<name>, "
                + "azureml:<asset>@latest or azureml:<asset>:<version>, wasbs://, or an https:// URL");
    }

    /** The default location of a job's output: {@code azureml://datastores/workspaceblobstore/paths/azureml/<job>/<name>/}. */
    static Datastore defaultOutput(String jobId, String output) {
        return new Datastore(DEFAULT_DATASTORE, "azureml/" + jobId + "/" + output + "/");
    }
}
