set terminal svg size 760,500 dynamic noenhanced font 'sans,13' background rgb 'white'
set output 'memory_per_container.svg'
set title 'Memory per idle running container (malloc bytes in use)'
set xlabel 'containers'
set ylabel 'KiB per container'
set grid
set key below
set format y '%g'
set format x '%g'
set logscale x
set xrange [500:200000]
set yrange [0:20.3045]
$s0 << EOD
1000 9.8878
10000 10.008
100000 10.0045
EOD
$s1 << EOD
1000 14.8939
10000 15.0412
100000 17.6561
EOD
plot $s0 using 1:2 with linespoints lw 2 pt 7 ps 0.8 title 'no endpoints', \
     $s1 using 1:2 with linespoints lw 2 pt 7 ps 0.8 title 'logs and stats endpoints', \
     4 with lines dashtype 2 lw 1.5 lc rgb '#c00000' title 'target 4 KiB'
