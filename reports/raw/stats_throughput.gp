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
set yrange [0:27.4728]
$s0 << EOD
1 7.81845
64 13.5909
1024 10.3371
EOD
$s1 << EOD
1 9.20321
64 8.6059
1024 5.95696
EOD
$s2 << EOD
1 23.8894
64 22.7981
1024 18.605
EOD
$s3 << EOD
1 2.01952
64 1.9508
1024 1.38895
EOD
plot $s0 using 1:2 with linespoints lw 2 pt 7 ps 0.8 title 'node clock, 1 target', \
     $s1 using 1:2 with linespoints lw 2 pt 7 ps 0.8 title 'own clocks, 1 target', \
     $s2 using 1:2 with linespoints lw 2 pt 7 ps 0.8 title 'node clock, 4 targets', \
     $s3 using 1:2 with linespoints lw 2 pt 7 ps 0.8 title 'FakeRedis, 1 target', \
     10 with lines dashtype 2 lw 1.5 lc rgb '#c00000' title 'target 10 M/s'
