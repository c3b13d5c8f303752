set terminal svg size 760,500 dynamic noenhanced font 'sans,13' background rgb 'white'
set output 'stats_throughput.svg'
set title 'In-process stats path: messages per second on one core'
set xlabel 'containers on one node'
set ylabel 'M stats messages/s'
set grid
set key below
set format y '%g'
set format x '%g'
set logscale x
set xrange [0.5:2048]
set yrange [0:33.752]
$s0 << EOD
1 10.6179
64 11.0011
1024 11.2754
EOD
$s1 << EOD
1 9.89926
64 9.57721
1024 7.39471
EOD
$s2 << EOD
1 27.6692
64 29.3496
1024 27.4491
EOD
$s3 << EOD
1 2.61086
64 1.73737
1024 1.40701
EOD
plot $s0 using 1:2 with linespoints lw 2 pt 7 ps 0.8 title 'node clock, 1 target', \
     $s1 using 1:2 with linespoints lw 2 pt 7 ps 0.8 title 'own clocks, 1 target', \
     $s2 using 1:2 with linespoints lw 2 pt 7 ps 0.8 title 'node clock, 4 targets', \
     $s3 using 1:2 with linespoints lw 2 pt 7 ps 0.8 title 'FakeRedis, 1 target', \
     10 with lines dashtype 2 lw 1.5 lc rgb '#c00000' title 'target 10 M/s'
