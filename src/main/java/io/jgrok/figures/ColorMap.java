package io.jgrok.figures;

import java.awt.Color;

/**
 * Colour maps for heatmaps, defined by evenly spaced anchor colours and interpolated linearly in sRGB between them.
 * {@link #SEQUENTIAL} samples matplotlib's perceptually uniform "viridis" (the anchors are its published colours at
 * t = 0, 1/9, ..., 1), for magnitudes; {@link #DIVERGING} follows ColorBrewer's RdBu (blue negative, white zero, red
 * positive), for signed values shown on a range symmetric about zero.
 */
enum ColorMap {
    SEQUENTIAL(0x440154, 0x482878, 0x3E4A89, 0x31688E, 0x26828E, 0x1F9E89, 0x35B779, 0x6ECE58, 0xB5DE2B, 0xFDE725),
    DIVERGING(0x053061, 0x2166AC, 0x4393C3, 0x92C5DE, 0xD1E5F0, 0xF7F7F7, 0xFDDBC7, 0xF4A582, 0xD6604D, 0xB2182B,
            0x67001F);

    /** Odd, so that t = 0.5 (zero on a diverging map) has an entry of its own: the exact neutral colour. */
    private static final int TABLE = 257;
    private final int[] table = new int[TABLE];

    ColorMap(int... anchors) {
        for (int i = 0; i < TABLE; i++) {
            double t = i / (TABLE - 1.0) * (anchors.length - 1);
            int j = Math.min((int) t, anchors.length - 2);
            double f = t - j;
            table[i] = mix(anchors[j], anchors[j + 1], f);
        }
    }

    private static int mix(int a, int b, double f) {
        int r = (int) Math.round(((a >> 16) & 255) * (1 - f) + ((b >> 16) & 255) * f);
        int g = (int) Math.round(((a >> 8) & 255) * (1 - f) + ((b >> 8) & 255) * f);
        int bl = (int) Math.round((a & 255) * (1 - f) + (b & 255) * f);
        return (r << 16) | (g << 8) | bl;
    }

    /** RGB (0xRRGGBB) of position t in [0, 1]; t outside is clamped, NaN maps to light grey. */
    int rgb(double t) {
        if (Double.isNaN(t)) {
            return 0xDDDDDD;
        }
        double c = Math.max(0, Math.min(1, t));
        return table[(int) Math.round(c * (TABLE - 1))];
    }

    Color color(double t) {
        return new Color(rgb(t));
    }
}
