# Oracle for the rubygems scheme: RubyGems' own Gem::Version. Reads "a<TAB>b" lines and prints
# "<a valid> <b valid> <order or ?>" per line.
require 'rubygems'

$stdout.sync = false
$stdin.each_line do |line|
  a, b = line.chomp("\n").split("\t", 2)
  x = Gem::Version.correct?(a) ? Gem::Version.new(a) : nil
  y = Gem::Version.correct?(b) ? Gem::Version.new(b) : nil
  order = x && y ? (x <=> y).to_s : '?'
  puts "#{x ? 1 : 0} #{y ? 1 : 0} #{order}"
end
