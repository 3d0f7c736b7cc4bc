package io.jgrok.sweep;

import io.jgrok.cli.Main;
import io.jgrok.io.RunDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The SLURM scripts against a real, local SLURM (Debian's slurmctld and slurmd on localhost, started here with a
 * private single-node config, auth/none, free ports, and stopped afterwards): tools/slurm/submit.sh submits a
 * 2-task array of a small sweep and the merge job; every run is trained by exactly the shard that owns it, and the
 * merged sweep equals the same sweep run in one process. Skipped when SLURM is not installed or we are not root
 * (slurmd must be root to start jobs).
 */
class SlurmSweepTest {
    private static final String SPEC = "{\"p\": 11, \"d_model\": 8, \"n_heads\": 2, \"d_mlp\": 16, "
            + "\"n_epochs\": 60, \"checkpoint_every\": 20, \"analysis\": \"none\", \"seeds\": \"1..5\"}";
    private static final String NODE = "jgroknode";

    @TempDir
    Path tmp;

    private final List<Process> daemons = new ArrayList<>();

    @AfterEach
    void stopDaemons() throws InterruptedException {
        for (Process p : daemons) {
            p.destroy();
        }
        for (Process p : daemons) {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        for (String dir : new String[] {"/usr/sbin", "/usr/bin"}) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    private static String program(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name).toString();
            }
        }
        return Path.of("/usr/sbin", name).toString();
    }

    @Test
    void aTwoTaskArrayShardsTheSweepAndTheMergeJobCombinesIt() throws Exception {
        for (String p : new String[] {"slurmctld", "slurmd", "sbatch", "sinfo"}) {
            assumeTrue(onPath(p), p + " is not installed (Debian: apt-get install slurm-wlm); skipping the SLURM test");
        }
        assumeTrue("root".equals(System.getProperty("user.name")), "slurmd needs root to start jobs; skipping");
        Path conf = writeConfig();
        startDaemons(conf);

        Path spec = tmp.resolve("spec.json");
        Files.writeString(spec, SPEC);
        Path launcher = tmp.resolve("jgrok");
        Files.writeString(launcher, "#!/bin/sh\nexec " + ProcessHandle.current().info().command().orElse("java")
                + " -Xmx512m --add-modules jdk.incubator.vector -cp '" + System.getProperty("java.class.path")
                + "' io.jgrok.cli.Main \"$@\"\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dir = tmp.resolve("sweep");

        ProcessBuilder pb = new ProcessBuilder(Path.of("tools/slurm/submit.sh").toAbsolutePath().toString(),
                "--wait", spec.toString(), dir.toString(), "2");
        pb.environment().put("SLURM_CONF", conf.toString());
        pb.environment().put("JGROK", launcher.toString());
        pb.directory(tmp.toFile());
        pb.redirectErrorStream(true);
        pb.redirectOutput(tmp.resolve("submit.out").toFile());
        Process submit = pb.start();
        if (!submit.waitFor(300, TimeUnit.SECONDS)) {
            submit.destroyForcibly();
            fail("the SLURM sweep did not finish in 300 s; " + diagnostics(dir));
        }
        assertEquals(0, submit.exitValue(), "submit.sh --wait: " + diagnostics(dir));

        // Each task wrote its own shard index holding exactly the runs it owns.
        for (int shard = 0; shard < 2; shard++) {
            SweepIndex s = SweepIndex.read(dir.resolve("sweep_index.shard-" + shard + "-of-2.json"));
            for (RunRecord r : s.records()) {
                assertEquals(shard, r.index % 2, r.name + " in shard " + shard);
                assertEquals(RunStatus.DONE, r.status, r.name);
                assertEquals(1, r.attempts);
            }
            assertEquals(shard == 0 ? 3 : 2, s.records().size());
        }
        // The merge job combined them; the result equals the sweep run in one process.
        Path whole = tmp.resolve("whole");
        assertEquals(0, Main.run(new String[] {"sweep", spec.toString(), "--out", whole.toString(), "--quiet"}));
        SweepIndex merged = SweepIndex.read(dir.resolve(SweepIndex.FILE));
        SweepIndex want = SweepIndex.read(whole.resolve(SweepIndex.FILE));
        assertEquals(5, merged.records().size());
        for (RunRecord r : want.records()) {
            RunRecord got = merged.record(r.name);
            assertEquals(RunStatus.DONE, got.status);
            assertEquals(r.epochsToGrok, got.epochsToGrok);
            assertEquals(java.util.Arrays.toString(r.keyFrequencies), java.util.Arrays.toString(got.keyFrequencies));
            SameRun.assertSameRun(new RunDirectory(whole.resolve(r.dir)), new RunDirectory(dir.resolve(got.dir)));
        }
        assertTrue(Files.exists(dir.resolve(SweepSummaryFile.JSON)));
        String taskLogs = Files.readString(firstMatching(dir.resolve("slurm"), "sweep-", "_0.out"))
                + Files.readString(firstMatching(dir.resolve("slurm"), "sweep-", "_1.out"));
        assertTrue(taskLogs.contains("shard 0/2") && taskLogs.contains("shard 1/2"), taskLogs);
    }

    private Path writeConfig() throws IOException {
        Path conf = tmp.resolve("slurm.conf");
        Files.createDirectories(tmp.resolve("state"));
        Files.createDirectories(tmp.resolve("spool"));
        String host = hostname();
        int cpus = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
        String text = String.join("\n",
                "ClusterName=jgroktest",
                "SlurmctldHost=" + host + "(127.0.0.1)",
                "SlurmctldPort=" + freePort(),
                "SlurmdPort=" + freePort(),
                // A private test cluster on localhost: no munge keys to manage.
                "AuthType=auth/none",
                "CredType=cred/none",
                "SlurmUser=root",
                "SlurmdUser=root",
                "StateSaveLocation=" + tmp.resolve("state"),
                "SlurmdSpoolDir=" + tmp.resolve("spool"),
                "SlurmctldPidFile=" + tmp.resolve("slurmctld.pid"),
                "SlurmdPidFile=" + tmp.resolve("slurmd.pid"),
                "SlurmctldLogFile=" + tmp.resolve("slurmctld.log"),
                "SlurmdLogFile=" + tmp.resolve("slurmd.log"),
                "ProctrackType=proctrack/pgid",
                "TaskPlugin=task/none",
                "SelectType=select/cons_tres",
                "SelectTypeParameters=CR_CPU",
                "SchedulerType=sched/builtin",
                "MpiDefault=none",
                "ReturnToService=2",
                "JobAcctGatherType=jobacct_gather/none",
                "AccountingStorageType=accounting_storage/none",
                "NodeName=" + NODE + " NodeAddr=127.0.0.1 CPUs=" + cpus + " RealMemory=1000 State=UNKNOWN",
                "PartitionName=debug Nodes=" + NODE + " Default=YES MaxTime=INFINITE State=UP",
                "");
        Files.writeString(conf, text);
        return conf;
    }

    private void startDaemons(Path conf) throws Exception {
        daemons.add(daemon(conf, "slurmctld", program("slurmctld"), "-D", "-c", "-f", conf.toString()));
        daemons.add(daemon(conf, "slurmd", program("slurmd"), "-D", "-N", NODE, "-f", conf.toString()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            ProcessBuilder pb = new ProcessBuilder("sinfo", "-h", "-n", NODE, "-o", "%T");
            pb.environment().put("SLURM_CONF", conf.toString());
            pb.redirectErrorStream(true);
            Process p = pb.start();
            String state = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            if (state.equals("idle")) {
                return;
            }
            for (Process d : daemons) {
                assertTrue(d.isAlive(), "a SLURM daemon exited: " + diagnostics(null));
            }
            if (System.nanoTime() > deadline) {
                fail("the local SLURM node did not become idle (state '" + state + "'): " + diagnostics(null));
            }
            Thread.sleep(200);
        }
    }

    private Process daemon(Path conf, String name, String... cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("SLURM_CONF", conf.toString());
        pb.redirectErrorStream(true);
        pb.redirectOutput(tmp.resolve(name + ".out").toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        return pb.start();
    }

    private String diagnostics(Path dir) {
        StringBuilder sb = new StringBuilder();
        for (String f : new String[] {"submit.out", "slurmctld.log", "slurmd.log"}) {
            try {
                List<String> lines = Files.readAllLines(tmp.resolve(f));
                sb.append("\n--- ").append(f).append(" (tail)\n")
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())));
            } catch (IOException ignored) {
                // not written
            }
        }
        if (dir != null && Files.isDirectory(dir.resolve("slurm"))) {
            try (var s = Files.list(dir.resolve("slurm"))) {
                for (Path f : s.toList()) {
                    sb.append("\n--- ").append(f.getFileName()).append('\n').append(Files.readString(f));
                }
            } catch (IOException ignored) {
                // best effort
            }
        }
        return sb.toString();
    }

    private static Path firstMatching(Path dir, String prefix, String suffix) throws IOException {
        try (var s = Files.list(dir)) {
            return s.filter(f -> f.getFileName().toString().startsWith(prefix)
                    && f.getFileName().toString().endsWith(suffix)).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + prefix + "*" + suffix + " in " + dir));
        }
    }

    private static String hostname() throws IOException {
        Process p = new ProcessBuilder("hostname", "-s").redirectErrorStream(true).start();
        String h = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return h.isEmpty() ? "localhost" : h;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
