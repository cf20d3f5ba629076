package dev.ebbtide.common.job;

/**
 * A job's {@code code:} once snapshotted: a content-addressed archive in a datastore. Each rank's working directory
 * is the unpacked folder, as on Azure ML.
 *
 * @param uri    where the archive is: {@code azureml://datastores/<ds>/paths/LocalUpload/<digest>/code.tar.gz}
 * @param digest {@code sha256:<hex>} of the snapshot's tree (paths, modes and contents), the same for the same folder
 */
public record CodeRef(String uri, String digest) {}
