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
set yrange [0:20.6468]
$s0 << EOD
1000 10.17
10000 10.1793
100000 10.1118
EOD
$s1 << EOD
1000 15.3472
10000 15.3945
100000 17.9537
EOD
plot $s0 using 1:2 with linespoints lw 2 pt 7 ps 0.8 title 'no endpoints', \
     $s1 using 1:2 with linespoints lw 2 pt 7 ps 0.8 title 'logs and stats endpoints', \
     4 with lines dashtype 2 lw 1.5 lc rgb '#c00000' title 'target 4 KiB'
