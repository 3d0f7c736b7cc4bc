package io.jgrok.figures;

import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The heatmap puts each value in its cell (row 0 at the top) in the colour the colour map gives it. */
class HeatmapTest {
    @Test
    void cellsShowTheirValuesInPlace() {
        int rows = 5;
        int cols = 7;
        float[] v = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                v[r * cols + c] = r * cols + c;
            }
        }
        for (ColorMap map : ColorMap.values()) {
            Heatmap h = Heatmap.of(v, rows, cols, map, "value");
            BufferedImage img = new BufferedImage(600, 500, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, 600, 500);
            Heatmap.Axis x = new Heatmap.Axis("x", Heatmap.numericTicks(cols), false);
            Heatmap.Axis y = new Heatmap.Axis("y", Heatmap.numericTicks(rows), false);
            Rectangle2D grid = h.paint(g, new Rectangle2D.Double(0, 0, 600, 500), "t", x, y, true);
            g.dispose();
            double cw = grid.getWidth() / cols;
            double ch = grid.getHeight() / rows;
            assertEquals(cw, ch, 1e-9, "square cells");
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    int px = (int) (grid.getX() + (c + 0.5) * cw);
                    int py = (int) (grid.getY() + (r + 0.5) * ch);
                    int expected = map.rgb((v[r * cols + c] - h.lo()) / (h.hi() - h.lo()));
                    assertEquals(Integer.toHexString(expected), Integer.toHexString(img.getRGB(px, py) & 0xFFFFFF),
                            map + " cell (" + r + ", " + c + ")");
                }
            }
        }
    }

    @Test
    void divergingRangeIsSymmetricAboutZero() {
        Heatmap h = Heatmap.of(new float[] {-1, 3, 0.5f, 2}, 2, 2, ColorMap.DIVERGING, null);
        assertEquals(-3, h.lo());
        assertEquals(3, h.hi());
        Heatmap s = Heatmap.of(new float[] {-1, 3, 0.5f, 2}, 2, 2, ColorMap.SEQUENTIAL, null);
        assertEquals(-1, s.lo());
        assertEquals(3, s.hi());
    }

    @Test
    void colourMapsRunThroughTheirAnchors() {
        assertEquals(0x440154, ColorMap.SEQUENTIAL.rgb(0));
        assertEquals(0xFDE725, ColorMap.SEQUENTIAL.rgb(1));
        assertEquals(0x053061, ColorMap.DIVERGING.rgb(0));
        assertEquals(0xF7F7F7, ColorMap.DIVERGING.rgb(0.5), "white at zero");
        assertEquals(0x67001F, ColorMap.DIVERGING.rgb(1));
        assertEquals(ColorMap.SEQUENTIAL.rgb(0), ColorMap.SEQUENTIAL.rgb(-5), "clamped below");
        assertEquals(ColorMap.SEQUENTIAL.rgb(1), ColorMap.SEQUENTIAL.rgb(7), "clamped above");
        // Viridis gets lighter monotonically: the perceptual ordering a reader relies on.
        double last = -1;
        for (int i = 0; i <= 100; i++) {
            int c = ColorMap.SEQUENTIAL.rgb(i / 100.0);
            double luma = 0.2126 * (c >> 16 & 255) + 0.7152 * (c >> 8 & 255) + 0.0722 * (c & 255);
            assertTrue(luma >= last - 0.5, "luma falls at " + i);
            last = luma;
        }
    }

    @Test
    void colourBarTicksAreRoundAndInsideTheRange() {
        List<Double> unit = Heatmap.niceTicks(0, 1, 5);
        assertEquals(List.of("0.0", "0.2", "0.4", "0.6", "0.8", "1.0"),
                unit.stream().map(v -> Heatmap.format(v, unit)).toList(), "steps of 0.2 from 0 to 1");
        List<Double> t = Heatmap.niceTicks(-3.7, 4.2, 5);
        assertEquals(List.of(-2.0, 0.0, 2.0, 4.0), t);
        assertEquals("\u22122", Heatmap.format(-2.0, t));
        List<Double> small = Heatmap.niceTicks(0.013, 0.981, 5);
        for (double v : small) {
            assertTrue(v >= 0.013 && v <= 0.981, "tick " + v);
        }
        assertEquals("0.2", Heatmap.format(0.2, small));
        List<Double> quarter = Heatmap.niceTicks(-5.1, 5.1, 5);
        assertEquals(List.of(-5.0, -2.5, 0.0, 2.5, 5.0), quarter);
        assertEquals(List.of("\u22125.0", "\u22122.5", "0.0", "2.5", "5.0"),
                quarter.stream().map(v -> Heatmap.format(v, quarter)).toList());
        assertEquals(List.of("0", "10", "20", "30", "40", "50"), Heatmap.numericTicks(53).stream()
                .map(Heatmap.Tick::label).toList());
        assertEquals(List.of("0", "20", "40", "60", "80", "100"), Heatmap.numericTicks(113).stream()
                .map(Heatmap.Tick::label).toList());
    }
}
