package com.pakaura.api.support;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.cloud.stream.binder.test.EnableTestBinder;

/**
 * A {@link ServiceTest} whose events go to Spring Cloud Stream's test binder: nothing
 * leaves the JVM.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ServiceTest
@EnableTestBinder
public @interface ApiTest {

}
