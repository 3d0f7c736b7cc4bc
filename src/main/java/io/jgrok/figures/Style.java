package io.jgrok.figures;

import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.GraphicsEnvironment;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Arrays;
import java.util.Locale;

/**
 * The look shared by every figure: fonts sized to stay legible when a figure is scaled down to a column of a paper
 * (figures are drawn about 1000 px wide; at 50% the 13 px tick labels are still 6.5 pt), a colour-blind-safe series
 * palette (Okabe and Ito), white backgrounds and light grid lines.
 */
final class Style {
    private Style() {
    }

    /** DejaVu Sans when installed (it has the Unicode glyphs used in labels: ², ·, −, superscripts), else the JVM's. */
    static final String FAMILY = pickFamily();

    static final Font TITLE = new Font(FAMILY, Font.BOLD, 17);
    static final Font PANEL_TITLE = new Font(FAMILY, Font.BOLD, 15);
    static final Font AXIS_TITLE = new Font(FAMILY, Font.PLAIN, 14);
    static final Font TICK = new Font(FAMILY, Font.PLAIN, 12);
    static final Font SMALL = new Font(FAMILY, Font.PLAIN, 11);
    static final Font LEGEND = new Font(FAMILY, Font.PLAIN, 12);

    static final Color TEXT = new Color(0x222222);
    static final Color MUTED = new Color(0x666666);
    static final Color GRID = new Color(0xEBEBEB);
    static final Color FRAME = new Color(0x999999);

    // Okabe & Ito (2008), "Color Universal Design": distinguishable under the common colour-vision deficiencies.
    static final Color BLUE = new Color(0x0072B2);
    static final Color ORANGE = new Color(0xE69F00);
    static final Color GREEN = new Color(0x009E73);
    static final Color VERMILLION = new Color(0xD55E00);
    static final Color SKY = new Color(0x56B4E9);
    static final Color PURPLE = new Color(0xCC79A7);
    static final Color YELLOW = new Color(0xF0E442);
    static final Color BLACK = new Color(0x000000);
    static final Color GREY = new Color(0x888888);

    /** Series colours in order: train-like first, test-like second, then the rest. */
    static final Color[] PALETTE = {BLUE, VERMILLION, GREEN, ORANGE, PURPLE, SKY, BLACK, YELLOW, GREY};

    /** Colour of series i (cycling). */
    static Color series(int i) {
        return PALETTE[Math.floorMod(i, PALETTE.length)];
    }

    static final BasicStroke LINE = new BasicStroke(2.0f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
    static final BasicStroke THIN_LINE = new BasicStroke(1.3f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
    static final BasicStroke DASHED = new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
            new float[] {7f, 5f}, 0f);

    private static String pickFamily() {
        try {
            String[] names = GraphicsEnvironment.getLocalGraphicsEnvironment().getAvailableFontFamilyNames(Locale.ROOT);
            if (Arrays.asList(names).contains("DejaVu Sans")) {
                return "DejaVu Sans";
            }
        } catch (RuntimeException | Error e) {
            // No font configuration at all: fall through to the logical font, which the JVM always maps.
        }
        return Font.SANS_SERIF;
    }

    /** Applies the common look to an XY or category chart. */
    static void apply(AxesChartStyler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderColor(FRAME);
        s.setPlotBorderVisible(true);
        s.setChartFontColor(TEXT);
        s.setChartTitleFont(PANEL_TITLE);
        s.setChartTitleBoxVisible(false);
        s.setChartTitlePadding(6);
        s.setChartPadding(12);
        s.setAxisTitleFont(AXIS_TITLE);
        s.setAxisTickLabelsFont(TICK);
        s.setAxisTickLabelsColor(TEXT);
        s.setAxisTickMarksColor(FRAME);
        s.setAxisTitlePadding(8);
        s.setPlotGridLinesColor(GRID);
        s.setPlotContentSize(0.97);
        s.setPlotGridLinesStroke(new BasicStroke(1f));
        s.setPlotGridLinesVisible(true);
        s.setLegendFont(LEGEND);
        s.setLegendBorderColor(new Color(0xCCCCCC));
        s.setLegendBackgroundColor(new Color(255, 255, 255, 225));
        s.setLegendPadding(6);
        s.setLegendSeriesLineLength(22);
        s.setLegendPosition(Styler.LegendPosition.InsideNE);
        s.setSeriesColors(PALETTE);
        s.setAntiAlias(true);
        s.setLocale(Locale.ROOT);
        s.setAnnotationTextFont(SMALL);
        s.setAnnotationTextFontColor(MUTED);
        s.setToolTipsEnabled(false);
    }

    /** A line chart with the common look and no markers. */
    static XYChart lineChart(int width, int height, String title, String xTitle, String yTitle) {
        XYChart c = new XYChart(width, height);
        c.setTitle(title == null ? "" : title);
        c.getStyler().setChartTitleVisible(title != null);
        c.setXAxisTitle(xTitle);
        c.setYAxisTitle(yTitle);
        apply(c.getStyler());
        c.getStyler().setMarkerSize(0);
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        return c;
    }

    /** A bar chart with the common look. */
    static CategoryChart barChart(int width, int height, String title, String xTitle, String yTitle) {
        CategoryChart c = new CategoryChart(width, height);
        c.setTitle(title == null ? "" : title);
        c.getStyler().setChartTitleVisible(title != null);
        c.setXAxisTitle(xTitle);
        c.setYAxisTitle(yTitle);
        apply(c.getStyler());
        c.getStyler().setPlotGridVerticalLinesVisible(false);
        return c;
    }

    /** Adds a line series drawn with the given colour and stroke, without markers. */
    static XYSeries line(XYChart chart, String name, double[] x, double[] y, Color color, BasicStroke stroke) {
        XYSeries s = chart.addSeries(name, x, y);
        s.setLineColor(color);
        s.setLineStyle(stroke);
        s.setMarker(SeriesMarkers.NONE);
        return s;
    }

    /**
     * Log10 axis: ticks at every decade labelled 1E-7, 1E-6, ... (minor ticks unlabelled); a range inside one decade
     * is labelled at its ends with up to three digits (2.91E0, 3.2E0).
     */
    static void logY(AxesChartStyler s) {
        s.setYAxisLogarithmic(true);
        s.setYAxisLogarithmicDecadeOnly(true);
        s.setYAxisDecimalPattern("0.##E0");
    }

    /**
     * Epoch ticks: plain numbers up to 2000 epochs, thousands as "2k", "12.5k" beyond, so that long runs read like
     * the paper's axes.
     */
    static String epochLabel(double epoch, double maxEpoch) {
        if (maxEpoch < 2000 || epoch == 0) {
            return Math.rint(epoch) == epoch ? Long.toString((long) epoch) : String.format(Locale.ROOT, "%.1f", epoch);
        }
        // Exact: a tick at 250 is "0.25k", not "0.3k".
        String k = new BigDecimal(Double.toString(epoch)).movePointLeft(3).round(new MathContext(6))
                .stripTrailingZeros().toPlainString();
        return k + "k";
    }

    /**
     * Sets the x axis of an epoch chart: range [0, maxEpoch] and thousands labels. Call it before adding the curves.
     * XChart ticks an axis whose x values are all evenly spaced (a curve with a point at every epoch, up to
     * {@link Curves#MAX_POINTS}) at every k-th point, which gave 147-epoch steps labelled "0.1k", "0.3k"; a hidden
     * series with uneven x values (no line, no legend entry, no y) makes it pick round steps as on any other axis.
     */
    static void epochAxis(XYChart chart, double maxEpoch) {
        double max = Math.max(1.0, maxEpoch);
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisMax(max);
        chart.getStyler().setxAxisTickLabelsFormattingFunction(x -> epochLabel(x, maxEpoch));
        XYSeries roundTicks = chart.addSeries(ROUND_TICKS, new double[]{0, max / 3, max},
                new double[]{Double.NaN, Double.NaN, Double.NaN});
        roundTicks.setShowInLegend(false);
        roundTicks.setMarker(SeriesMarkers.NONE);
        roundTicks.setLineStyle(new BasicStroke(0f));
        roundTicks.setLineColor(new Color(0, 0, 0, 0));
    }

    /** The name of {@link #epochAxis}'s hidden series. */
    static final String ROUND_TICKS = "\u200bround epoch ticks";

    /** Short scientific notation for numbers in text: 2.41e-7, 0.846, 1.4k. */
    static String number(double x) {
        if (Double.isNaN(x)) {
            return "n/a";
        }
        if (x == 0) {
            return "0";
        }
        double a = Math.abs(x);
        if (a >= 1e-3 && a < 1e4) {
            String s = String.format(Locale.ROOT, a >= 100 ? "%.0f" : (a >= 10 ? "%.1f" : "%.3g"), x);
            // 1.00 -> 1, 0.300 -> 0.3, 12.0 -> 12: trailing zeros claim a precision the number does not have.
            return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
        }
        return String.format(Locale.ROOT, "%.2e", x).replace("e-0", "e-").replace("e+0", "e");
    }
}
