set terminal svg size 760,500 dynamic noenhanced font 'sans,13' background rgb 'white'
set output 'cost_per_container.svg'
set title 'Cost per container-second'
set xlabel 'containers (one node per ten)'
set ylabel 'microseconds per container-second'
set grid
set key below
set format y '%g'
set format x '%g'
set logscale x
set xrange [500:200000]
set yrange [0:36.7603]
$s0 << EOD
1000 9.58664
10000 17.2363
100000 31.9655
EOD
$s1 << EOD
1000 9.58592
10000 17.235
100000 31.9615
EOD
plot $s0 using 1:2 with linespoints lw 2 pt 7 ps 0.8 title 'wall time', \
     $s1 using 1:2 with linespoints lw 2 pt 7 ps 0.8 title 'CPU time', \
     11.504 with lines dashtype 2 lw 1.5 lc rgb '#c00000' title 'wall: 1,000 containers + 20 %', \
     11.5031 with lines dashtype 2 lw 1.5 lc rgb '#e08000' title 'CPU: 1,000 containers + 20 %'
