package io.jgrok.reliability;

import io.jgrok.InProcessCli;
import io.jgrok.analysis.AnalysisFiles;
import io.jgrok.io.AtomicFiles;
import io.jgrok.io.RunDirectory;
import io.jgrok.io.WriteError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The commands that write beside a run or from it (analyze, figures, export, import) on a disk that is full: each
 * stops with one error line (which file, "the disk is full", what is intact, "run the same command again") and exit
 * status 4, like train, leaves no temporary behind and changes none of the run's own files; with space again, the
 * same command succeeds. The disk is a real tmpfs (the kernel's own ENOSPC), which needs root, as CI has.
 */
class FullDiskCommandsTest {
    @TempDir
    Path tmp;
    private SmallDisk smallDisk;
    private Path disk;

    @BeforeEach
    void mountSmallDisk() throws Exception {
        smallDisk = SmallDisk.mount(tmp.resolve("disk"), "4m");
        disk = smallDisk.root;
    }

    @AfterEach
    void unmount() throws Exception {
        if (smallDisk != null) {
            smallDisk.close();
        }
    }

    @Test
    void analyzeFiguresExportAndImportStopWithOneLineAndExitFour() throws Exception {
        RunDirectory run = new RunDirectory(disk.resolve("run"));
        String[] train = CliRun.concat(new String[] {"train", "--out", run.root().toString()}, DiskFullTest.CONFIG);
        train[java.util.Arrays.asList(train).indexOf("--n_epochs") + 1] = "100";
        assertEquals(0, InProcessCli.run(train).code());
        String[] analyze = {"analyze", run.root().toString(), "--device", "cpu", "--agop", "off", "--quiet"};
        assertEquals(0, InProcessCli.run(analyze).code(), "a first analysis, which the failed one must not mix with");
        Map<Path, byte[]> trained = OneWriterTest.snapshot(run);

        Path filler = disk.resolve("filler");
        fill(filler);
        assertFails(InProcessCli.run(analyze), run.analysis().toString(), "the run's checkpoints and history are "
                + "untouched; " + run.analysis() + " holds no complete analysis now");
        assertFalse(Files.exists(run.analysis().resolve(AnalysisFiles.SUMMARY)), "no summary beside files of "
                + "another analysis");
        Files.delete(filler);
        assertEquals(0, InProcessCli.run(analyze).code());

        fill(filler);
        assertFails(InProcessCli.run("figures", run.root().toString()), run.root().toString(),
                "the run and its analysis are untouched");
        Path pt = disk.resolve("exported");
        assertFails(InProcessCli.run("export", run.root().toString(), "--format", "pt", "--out", pt.toString(),
                "--quiet"), pt.toString(), "the run is untouched");
        Path imported = disk.resolve("imported");
        Path torchFile = Path.of(System.getProperty("jgrok.project.dir", ".")).resolve(
                "src/test/resources/torch/state_dict_tl.pt");
        assertFails(InProcessCli.run("import", torchFile.toString(), "--out", imported.toString(), "--quiet"),
                disk.toString(), "nothing was imported");
        assertFalse(new RunDirectory(imported).holdsRun(), "no part of a run was moved in");
        OneWriterTest.assertUnchanged(trained, run);

        Files.delete(filler);
        smallDisk.grow("32m");
        assertEquals(0, InProcessCli.run("figures", run.root().toString()).code());
        assertEquals(0, InProcessCli.run("export", run.root().toString(), "--format", "pt", "--out", pt.toString(),
                "--quiet", "--force").code());
        assertEquals(0, InProcessCli.run("import", torchFile.toString(), "--out", imported.toString(), "--quiet")
                .code());
    }

    /** Exit 4; the one error line (the last on stderr) names a file under {@code under} and says what is intact. */
    private void assertFails(InProcessCli.Result r, String under, String intact) throws IOException {
        assertEquals(WriteError.EXIT_CODE, r.code(), r.out() + r.err());
        List<String> errors = r.err().lines().filter(l -> l.startsWith("jgrok: error:")).toList();
        assertEquals(1, errors.size(), r.err());
        String line = errors.get(0);
        assertTrue(r.err().strip().endsWith(line), "the error is the last line: " + r.err());
        assertTrue(line.startsWith("jgrok: error: the disk is full: cannot write " + under), line);
        assertTrue(line.contains("(No space left on device); " + intact), line);
        assertTrue(line.endsWith("; free some space, then run the same command again"), line);
        try (Stream<Path> s = Files.walk(disk)) {
            assertEquals(List.of(), s.filter(p -> AtomicFiles.isTemporary(p)
                    || p.getFileName().toString().contains(".tmp-")).toList(), "temporaries of failed writes");
        }
    }

    /** Fills the disk but for a few KB: less than any of these commands writes. */
    private void fill(Path filler) throws IOException {
        long left = Files.getFileStore(disk).getUsableSpace() - 8 * 1024;
        byte[] block = new byte[4096];
        try (OutputStream out = Files.newOutputStream(filler)) {
            for (long n = 0; n + block.length <= left; n += block.length) {
                out.write(block);
            }
        }
    }
}
