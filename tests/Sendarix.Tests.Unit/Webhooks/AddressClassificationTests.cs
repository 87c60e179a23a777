using System.Net;
using Sendarix.Core.Webhooks;

namespace Sendarix.Tests.Unit;

public sealed class AddressClassificationTests
{
    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("9.255.255.255")]
    [InlineData("11.0.0.0")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.0")]
    [InlineData("126.255.255.255")]
    [InlineData("128.0.0.0")]
    [InlineData("169.253.255.255")]
    [InlineData("169.255.0.0")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.0")]
    [InlineData("192.167.255.255")]
    [InlineData("192.169.0.0")]
    [InlineData("198.17.255.255")]
    [InlineData("198.20.0.0")]
    [InlineData("223.255.255.255")]
    [InlineData("192.0.2.10")]
    [InlineData("203.0.113.10")]
    [InlineData("2001:4860:4860::8888")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("2001:db8::1")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("2002:808:808::1")]
    public void Public_addresses_are_public(string address)
    {
        Assert.Equal(AddressScope.Public, AddressClassification.Classify(IPAddress.Parse(address)));
        Assert.True(AddressClassification.IsPublic(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("0.0.0.0", AddressScope.Unspecified)]
    [InlineData("0.1.2.3", AddressScope.Reserved)]
    [InlineData("127.0.0.1", AddressScope.Loopback)]
    [InlineData("127.255.255.254", AddressScope.Loopback)]
    [InlineData("10.0.0.1", AddressScope.Private)]
    [InlineData("10.255.255.255", AddressScope.Private)]
    [InlineData("172.16.0.0", AddressScope.Private)]
    [InlineData("172.31.255.255", AddressScope.Private)]
    [InlineData("192.168.0.1", AddressScope.Private)]
    [InlineData("169.254.169.254", AddressScope.LinkLocal)]
    [InlineData("169.254.0.0", AddressScope.LinkLocal)]
    [InlineData("100.64.0.0", AddressScope.SharedAddressSpace)]
    [InlineData("100.127.255.255", AddressScope.SharedAddressSpace)]
    [InlineData("192.0.0.170", AddressScope.Reserved)]
    [InlineData("198.18.0.1", AddressScope.Reserved)]
    [InlineData("198.19.255.255", AddressScope.Reserved)]
    [InlineData("224.0.0.1", AddressScope.Multicast)]
    [InlineData("239.255.255.255", AddressScope.Multicast)]
    [InlineData("240.0.0.1", AddressScope.Reserved)]
    [InlineData("255.255.255.254", AddressScope.Reserved)]
    [InlineData("255.255.255.255", AddressScope.Broadcast)]
    public void Ipv4_ranges_off_the_internet_are_classified(string address, AddressScope scope)
    {
        Assert.Equal(scope, AddressClassification.Classify(IPAddress.Parse(address)));
        Assert.False(AddressClassification.IsPublic(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("::", AddressScope.Unspecified)]
    [InlineData("::1", AddressScope.Loopback)]
    [InlineData("fc00::1", AddressScope.Private)]
    [InlineData("fd12:3456:789a::1", AddressScope.Private)]
    [InlineData("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", AddressScope.Private)]
    [InlineData("fe80::1", AddressScope.LinkLocal)]
    [InlineData("fe80::1%2", AddressScope.LinkLocal)]
    [InlineData("febf:ffff::1", AddressScope.LinkLocal)]
    [InlineData("fec0::1", AddressScope.Private)]
    [InlineData("ff02::1", AddressScope.Multicast)]
    [InlineData("100::1", AddressScope.Reserved)]
    [InlineData("2001::1", AddressScope.Reserved)]
    [InlineData("64:ff9b:1::1", AddressScope.Private)]
    public void Ipv6_ranges_off_the_internet_are_classified(string address, AddressScope scope)
    {
        Assert.Equal(scope, AddressClassification.Classify(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("::ffff:127.0.0.1", AddressScope.Loopback)]
    [InlineData("::ffff:10.1.2.3", AddressScope.Private)]
    [InlineData("::ffff:169.254.169.254", AddressScope.LinkLocal)]
    [InlineData("::ffff:100.64.1.1", AddressScope.SharedAddressSpace)]
    [InlineData("::ffff:0.0.0.0", AddressScope.Unspecified)]
    [InlineData("::ffff:255.255.255.255", AddressScope.Broadcast)]
    [InlineData("::ffff:7f00:1", AddressScope.Loopback)]
    [InlineData("::127.0.0.1", AddressScope.Loopback)]
    [InlineData("::10.0.0.1", AddressScope.Private)]
    [InlineData("64:ff9b::7f00:1", AddressScope.Loopback)]
    [InlineData("64:ff9b::a9fe:a9fe", AddressScope.LinkLocal)]
    [InlineData("2002:7f00:1::", AddressScope.Loopback)]
    [InlineData("2002:c0a8:101::1", AddressScope.Private)]
    public void Ipv6_forms_carrying_an_ipv4_address_are_judged_by_it(string address, AddressScope scope)
    {
        Assert.Equal(scope, AddressClassification.Classify(IPAddress.Parse(address)));
    }
}
