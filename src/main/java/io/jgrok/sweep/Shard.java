package io.jgrok.sweep;

import io.jgrok.UserError;

/**
 * Shard {@code number} of {@code count}: the runs whose index is {@code number} mod {@code count}. A SLURM array
 * task i of n runs shard i/n; round-robin spreads each axis evenly over the shards.
 */
public record Shard(int number, int count) {

    public Shard {
        if (count < 1 || number < 0 || number >= count) {
            throw new UserError("--shard must be I/N with N >= 1 and 0 <= I < N, got " + number + "/" + count);
        }
    }

    /** Parses {@code I/N}. */
    public static Shard parse(String text) {
        String[] parts = text.trim().split("/", -1);
        try {
            if (parts.length == 2) {
                return new Shard(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UserError("--shard must be I/N (e.g. 0/4: the first of four shards), got '" + text + "'");
    }

    public boolean owns(int runIndex) {
        return runIndex % count == number;
    }

    @Override
    public String toString() {
        return number + "/" + count;
    }
}
