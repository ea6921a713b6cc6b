#!/usr/bin/perl
# Stand-in for the AutoWeave runtime, used only to prove the e2e harness: turns the output of
#   udevadm monitor --udev --property --subsystem-match=usb
# into DATA/events.jsonl in the format the runtime is to write. Only whole USB devices
# (DEVTYPE=usb_device) count; a remove uevent carries no vendor/serial, so they are remembered
# by DEVPATH from the add. Root hubs (1d6b) are skipped. SOURCES (env, default "udev") is written
# as the sources list, so the harness's source check can be exercised.
# Each line carries what the checker needs: timestamp (ms), port_path, the descriptor fields and the identity v2
# signature computed from them (bundles/usb.pipeline/README.md).
use strict; use warnings; use Digest::SHA qw(sha256_hex); use Time::HiRes qw(time);
my ($out) = @ARGV; open(my $fh, '>>', $out) or die "$out: $!"; select($fh); $| = 1; select(STDOUT); $| = 1;
my @sources = split /,/, ($ENV{SOURCES} // 'udev');
my %known; my %p; my $hdr = ''; my $seq = 0;
sub js { my $v = shift; return 'null' unless defined $v; $v =~ s/(["\\])/\\$1/g; $v =~ s/([\x00-\x1f])/sprintf('\\u%04x', ord $1)/ge; return "\"$v\""; }
sub str { my $v = shift; return "\0" unless defined $v; return "\1" . pack('N', length $v) . $v; }
sub sig { my ($d) = @_;
  return sha256_hex(str('autoweave-usb-identity/v2') . pack('N6', hex($d->{vid}), hex($d->{pid}), hex($d->{bcd}),
    @{$d->{type}}) . str($d->{serial})); }
sub flush_block {
  return unless $hdr =~ /^UDEV/ && ($p{DEVTYPE} // '') eq 'usb_device';
  my $a = $p{ACTION} // ''; my $dp = $p{DEVPATH} // '';
  my $dev;
  if ($a eq 'add') {
    my @prod = split m{/}, ($p{PRODUCT} // '0/0/0');
    $dev = { vid => $p{ID_VENDOR_ID}, pid => $p{ID_MODEL_ID}, serial => $p{ID_SERIAL_SHORT}, bcd => $prod[2] // '0',
             type => [ map { $_ + 0 } (split(m{/}, $p{TYPE} // '0/0/0'), 0, 0, 0)[0 .. 2] ] };
    $known{$dp} = $dev;
  } elsif ($a eq 'remove') {
    $dev = delete $known{$dp};
    if (!$dev && ($p{PRODUCT} // '') =~ m{^([0-9a-f]+)/([0-9a-f]+)/([0-9a-f]+)}) {
      $dev = { vid => sprintf('%04s', $1), pid => sprintf('%04s', $2), bcd => $3,
               type => [ map { $_ + 0 } (split(m{/}, $p{TYPE} // '0/0/0'), 0, 0, 0)[0 .. 2] ] };
    }
  } else { return; }
  return if !$dev || ($dev->{vid} // '') eq '1d6b';
  my $ev = $a eq 'add' ? 'attach' : 'detach';
  my ($port) = $dp =~ m{([^/]+)$};
  $seq++;
  printf $fh "{\"action\":\"%s\",\"timestamp\":%d,\"vendor_id\":%s,\"product_id\":%s,\"serial_number\":%s,\"sources\":[%s],\"port_path\":%s,\"bcd_device\":%d,\"device_class\":%d,\"device_subclass\":%d,\"device_protocol\":%d,\"device_signature\":\"%s\",\"seq\":%d}\n",
    $ev, time() * 1000, js(sprintf('%04s', $dev->{vid})), js(sprintf('%04s', $dev->{pid})), js($dev->{serial}),
    join(',', map { js($_) } @sources), js($port), hex($dev->{bcd}), @{$dev->{type}}, sig($dev), $seq;
  print "$ev $dp\n";
}
while (my $l = <STDIN>) {
  chomp $l;
  if ($l eq '') { flush_block(); %p = (); $hdr = ''; next; }
  if ($l =~ /^(KERNEL|UDEV)\s*\[/) { $hdr = $l; next; }
  $p{$1} = $2 if $l =~ /^([A-Z0-9_]+)=(.*)$/;
}
flush_block();
