package dev.ebbtide.agent;

import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobAssigned;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads the runs a previous agent on this node recorded ({@code ranks/<job>#<attempt>.run}) with their processes. */
final class RunRecovery {
    private RunRecovery() {}

    static Path runFile(Layout layout, String attemptKey) {
        return layout.ranks().resolve(attemptKey + ".run");
    }

    static List<NodeRun> read(Layout layout) throws IOException {
        List<NodeRun> found = new ArrayList<>();
        if (!Files.isDirectory(layout.ranks())) {
            return found;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(layout.ranks(), "*.run")) {
            for (Path f : files) {
                NodeRun.Saved saved = EventJson.read(Files.readString(f), NodeRun.Saved.class);
                JobAssigned a = saved.assignment();
                int attempt = RankEnvironment.attempt(a);
                int perNode = RankEnvironment.processesPerNode(a.spec());
                List<RankProcess> ps = new ArrayList<>();
                if (saved.phase() != NodeRun.Phase.STAGING) {
                    for (int local = 0; local < perNode; local++) {
                        int rank = saved.nodeRank() * perNode + local;
                        String key = Layout.rankKey(a.jobId(), attempt, rank);
                        Integer pgid = RankProcess.readExitFile(layout.pgidFile(key));
                        ps.add(new RankProcess(
                                key,
                                rank,
                                local,
                                pgid == null ? -1 : pgid,
                                null,
                                layout,
                                layout.logFile(a.jobId(), attempt, rank)));
                    }
                }
                NodeRun run = new NodeRun(saved, ps);
                AgentLog.info("job " + a.jobId() + " attempt " + attempt + ": found after a restart in phase "
                        + run.phase + ", "
                        + ps.stream()
                                .filter(p -> p.pgid > 0 && ProcessGroups.alive(p.pgid))
                                .count() + " of " + ps.size() + " process groups still running (adopted)");
                found.add(run);
            }
        }
        return found;
    }
}
