package com.pakaura.binder.dapr.properties;

/**
 * Consumer settings. The binder only publishes; this type exists because the binder SPI asks
 * for one.
 */
public class DaprConsumerProperties {

}
