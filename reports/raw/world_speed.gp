set terminal svg size 760,500 dynamic noenhanced font 'sans,13' background rgb 'white'
set output 'world_speed.svg'
set title 'World speed: simulated seconds per wall-clock second'
set xlabel 'containers (one node per ten)'
set ylabel 'simulated s per wall s'
set grid
set key below
set format y '%g'
set format x '%g'
set logscale x
set xrange [500:200000]
set logscale y
set yrange [0.544326:20000]
$s0 << EOD
1000 360.982
10000 20.1977
100000 1.08865
EOD
$s1 << EOD
1000 2273.72
EOD
plot $s0 using 1:2 with linespoints lw 2 pt 7 ps 0.8 title 'grids, 2 min + tail (bench/grid_world)', \
     $s1 using 1:2 with linespoints lw 2 pt 7 ps 0.8 title 'reference grid, 1 h (zsim sim)', \
     10000 with lines dashtype 2 lw 1.5 lc rgb '#c00000' title 'target 10,000x (reference grid)', \
     5000 with lines dashtype 2 lw 1.5 lc rgb '#e08000' title 'target 5,000x (100k containers)'
