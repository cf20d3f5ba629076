package dev.ebbtide.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ebbtide.console.web.WhatIfChart;
import dev.ebbtide.console.web.WhatIfChart.Point;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WhatIfChartTest {
    static Stream<Arguments> rows() {
        return Stream.of(
                Arguments.of(
                        "points sorted by mean wait, each series only at its own points",
                        List.of(new Point(0, 1.0, 90), new Point(600, 3.0, 10)),
                        new Point(30, 2.0, 50),
                        new Point(120, 2.5, 20),
                        List.of(10.0, 20.0, 50.0, 90.0),
                        Arrays.asList(3.0, null, null, 1.0),
                        Arrays.asList(null, null, 2.0, null),
                        Arrays.asList(null, 2.5, null, null)),
                Arguments.of(
                        "equal waits: the cheaper first, so x never goes down",
                        List.of(new Point(600, 3.0, 0), new Point(1800, 4.0, 0)),
                        new Point(600, 3.0, 0),
                        new Point(60, 1.0, 30),
                        List.of(0.0, 0.0, 0.0, 30.0),
                        Arrays.asList(3.0, null, 4.0, null),
                        Arrays.asList(null, 3.0, null, null),
                        Arrays.asList(null, null, null, 1.0)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void chartSeries(
            String name,
            List<Point> frontier,
            Point current,
            Point proposed,
            List<Double> x,
            List<Double> frontierY,
            List<Double> currentY,
            List<Double> proposedY) {
        WhatIfChart.Series s = WhatIfChart.of(frontier, current, proposed);
        assertEquals(x, s.x());
        assertEquals(frontierY, s.frontier());
        assertEquals(currentY, s.current());
        assertEquals(proposedY, s.proposed());
    }
}
